import type { CloudOrphan } from "../reaper/find-cloud-orphans.ts";
import type { Orphans } from "../reaper/find-orphans.ts";
import { printTable } from "./list-environments.ts";
import { requestApi } from "./request-api.ts";

/**
 * `stackfork orphans`: stacks no live environment owns, ready environments with no stack, and cloud
 * resources tagged for an environment that is not live (target aws), for a person to look at
 * (nothing is changed). Exit 1 when there is any, so a scheduled check can alert.
 */
export async function listOrphans(serverUrl: string, options: { json: boolean; token?: string }): Promise<number> {
  const orphans = await requestApi<Orphans & { resources?: CloudOrphan[] }>(serverUrl, "/api/orphans", {
    token: options.token,
  });
  const resources = orphans.resources ?? [];
  const found = orphans.stacks.length + orphans.environments.length + resources.length;
  if (options.json) {
    console.log(JSON.stringify(orphans, null, 2));
    return found ? 1 : 0;
  }
  if (!found) {
    console.log(
      "no orphans: every stack has a live environment, every ready environment a stack, every tagged resource a live environment",
    );
    return 0;
  }
  if (orphans.stacks.length) {
    console.log("stacks with no live environment (they may still hold resources):");
    printTable(
      ["PROJECT", "STACK", "STATE UPDATED", "ENVIRONMENT"],
      orphans.stacks.map((s) => [
        s.project,
        s.stack,
        s.updatedAt,
        s.environment ? `${s.environment} (destroyed)` : "none",
      ]),
    );
  }
  if (orphans.environments.length) {
    console.log("ready environments whose stack is gone:");
    printTable(
      ["ENVIRONMENT", "REPOSITORY", "STATUS", "UPDATED"],
      orphans.environments.map((e) => [e.id, e.repository, e.status, e.updatedAt]),
    );
  }
  if (resources.length) {
    console.log("cloud resources tagged for an environment that is not live (reported, not deleted):");
    printTable(
      ["ENVIRONMENT", "TYPE", "ARN", "REPOSITORY"],
      resources.map((r) => [r.environment, r.type, r.arn, r.repository]),
    );
  }
  return 1;
}
