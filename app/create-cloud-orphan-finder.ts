import type { RepositoryConfig } from "../core/repository-config.ts";
import type { CloudOrphan } from "../reaper/find-cloud-orphans.ts";
import type { Registry } from "../registry/registry.ts";

/**
 * Resources tagged by copies of `aws`-target repositories whose environment is not live
 * (reaper/find-cloud-orphans.ts); nothing is asked of AWS unless a repository has target `aws`.
 */
export function createCloudOrphanFinder(deps: {
  registry: Registry;
  repositories: readonly RepositoryConfig[];
}): () => Promise<CloudOrphan[]> {
  let tagging: import("@aws-sdk/client-resource-groups-tagging-api").ResourceGroupsTaggingAPIClient | undefined;
  return async () => {
    if (!deps.repositories.some((r) => r.target === "aws")) return [];
    const { createTaggingClient } = await import("../aws/create-aws-clients.ts");
    const { listTaggedResources } = await import("../aws/list-tagged-resources.ts");
    const { COPY_TAGS, findCloudOrphans } = await import("../reaper/find-cloud-orphans.ts");
    tagging ??= createTaggingClient();
    const resources = await listTaggedResources(tagging, [
      { key: COPY_TAGS.managedBy, values: ["stackfork"] },
      { key: COPY_TAGS.environment },
    ]);
    return findCloudOrphans(deps.registry, resources, deps.repositories);
  };
}
