import type { Environment } from "../core/environment.ts";
import type { Job } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";

export interface RecordJobEventDeps {
  registry: Registry;
  now: () => Date;
}

export type JobEventType = Parameters<Registry["appendEvent"]>[0]["type"];

/** Writes one line of the environment's history for a job: who asked, which delivery, which commit. */
export async function recordJobEvent(
  deps: RecordJobEventDeps,
  environment: Environment,
  job: Job,
  type: JobEventType,
  message: string,
  extra: { durationMs?: number; errorCode?: string; commitSha?: string } = {},
): Promise<void> {
  await deps.registry.appendEvent({
    environmentId: environment.id,
    at: deps.now().toISOString(),
    type,
    message,
    actor: job.reason.actor,
    via: job.reason.via,
    deliveryId: job.reason.deliveryId,
    jobId: job.id,
    commitSha: extra.commitSha ?? job.commitSha,
    durationMs: extra.durationMs,
    errorCode: extra.errorCode,
  });
}
