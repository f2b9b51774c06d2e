import type { Environment } from "../core/environment.ts";
import { projectNameOf } from "../core/project-name-of.ts";
import type { StackRef } from "../provisioner/list-file-backend-stacks.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";

export interface Orphans {
  /** Stacks no live environment owns: its environment is destroyed, or there never was one. */
  stacks: (StackRef & { environment?: string })[];
  /** `ready` environments whose stack is gone: the dashboard shows a copy that no longer exists. */
  environments: Pick<Environment, "id" | "repository" | "status" | "updatedAt">[];
}

/**
 * DESIGN.md, "Reap": report (never touch) what the registry and the Pulumi state disagree on, for a
 * person to look at: a stack left behind costs money, an environment without one misleads.
 */
export async function findOrphans(registry: Registry, stacks: readonly StackRef[]): Promise<Orphans> {
  const environments = new Map<string, Environment>();
  for await (const environment of eachEnvironment(registry, { includeDestroyed: true })) {
    environments.set(keyOf(projectNameOf({ name: environment.repository }), environment.name), environment);
  }

  const stackKeys = new Set(stacks.map((s) => keyOf(s.project, s.stack)));
  const orphanStacks = stacks.flatMap((s) => {
    const owner = environments.get(keyOf(s.project, s.stack));
    if (owner && owner.status !== "destroyed") return [];
    return [{ ...s, ...(owner && { environment: owner.id }) }];
  });
  const lost = [...environments.entries()]
    .filter(([key, e]) => e.status === "ready" && !stackKeys.has(key))
    .map(([, e]) => ({ id: e.id, repository: e.repository, status: e.status, updatedAt: e.updatedAt }));
  return { stacks: orphanStacks, environments: lost };
}

function keyOf(project: string, stack: string): string {
  return `${project}/${stack}`;
}
