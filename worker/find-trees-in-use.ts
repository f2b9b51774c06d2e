import type { JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";

/**
 * The commits and upload ids that may be deployed again without a new push: each live environment's
 * (a redeploy, a restart's reconcile) and each queued or running job's. For sweepSourceTrees.
 */
export async function findTreesInUse(registry: Registry, queue: JobQueue): Promise<Set<string>> {
  const inUse = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await registry.listEnvironments({ limit: 500, cursor });
    for (const environment of page.environments) if (environment.commitSha) inUse.add(environment.commitSha);
    cursor = page.nextCursor;
  } while (cursor);
  for (const job of await queue.listPending()) if (job.commitSha) inUse.add(job.commitSha);
  return inUse;
}
