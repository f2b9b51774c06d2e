import type { JobQueue } from "../queue/job-queue.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";

/**
 * The commits and upload ids that may be deployed again without a new push: each live environment's
 * (a redeploy, a restart's reconcile) and each queued or running job's. For sweepSourceTrees.
 */
export async function findTreesInUse(registry: Registry, queue: JobQueue): Promise<Set<string>> {
  const inUse = new Set<string>();
  for await (const environment of eachEnvironment(registry)) {
    if (environment.commitSha) inUse.add(environment.commitSha);
  }
  for (const job of await queue.listPending()) if (job.commitSha) inUse.add(job.commitSha);
  return inUse;
}
