import type { TaggedResource } from "../aws/list-tagged-resources.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { Registry } from "../registry/registry.ts";

/** A cloud resource a copy of the `aws` target created, whose environment is not live. */
export interface CloudOrphan {
  arn: string;
  /** Its `environment` tag: the environment (and stack) name it was created for. */
  environment: string;
  /** `<service>:<resource type>`, e.g. `dynamodb:table`. */
  type: string;
  /** Its `repository` tag. */
  repository: string;
}

/**
 * The tags every copy's resources carry (stacks/service/aws/build-tags.ts) that say whose they are.
 * Keep in step with build-tags.ts: a renamed tag would make every resource look like nobody's.
 */
export const COPY_TAGS = { managedBy: "managed-by", environment: "environment", repository: "repository" } as const;

/**
 * DESIGN.md, "Reap", for what the Pulumi state no longer knows: resources tagged by a copy of one of
 * `repositories` with target `aws` whose environment is destroyed or was never registered (its
 * stack's state lost, a destroy that left something behind). Reported for a person to look at, never
 * deleted: a tag is a claim, not proof. Resources of other repositories (another stackfork in the same
 * account) are not ours to judge.
 */
export async function findCloudOrphans(
  registry: Pick<Registry, "getEnvironment">,
  resources: readonly TaggedResource[],
  repositories: readonly Pick<RepositoryConfig, "name" | "target">[],
): Promise<CloudOrphan[]> {
  const ours = new Set(repositories.filter((r) => r.target === "aws").map((r) => r.name.toLowerCase()));
  const candidates = resources.flatMap((resource) => {
    const environment = resource.tags[COPY_TAGS.environment];
    const repository = resource.tags[COPY_TAGS.repository];
    if (resource.tags[COPY_TAGS.managedBy] !== "stackfork" || !environment || !repository) return [];
    if (!ours.has(repository.toLowerCase())) return [];
    return [{ arn: resource.arn, environment, type: resource.type, repository }];
  });
  // A copy has a handful of resources: one read per environment named, not a sweep of them all.
  const live = new Map<string, boolean>();
  for (const name of new Set(candidates.map((c) => c.environment))) {
    const environment = await registry.getEnvironment(name);
    live.set(name, environment !== undefined && environment.status !== "destroyed");
  }
  return candidates
    .filter((c) => !live.get(c.environment))
    .sort((a, b) => a.environment.localeCompare(b.environment) || a.arn.localeCompare(b.arn));
}
