import type { Environment, EnvironmentStatus } from "../core/environment.ts";
import type { NewHistoryEvent } from "../core/history-event.ts";
import type { Logger } from "../core/logger.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";

export interface RepairUnqueuedDeps {
  registry: Registry;
  queue: JobQueue;
  log: Logger;
  now: () => Date;
  /** Tells an in-process worker that a job is waiting, so it does not wait for its next poll. */
  wakeWorker?: () => void;
  /**
   * An environment changed more recently than this is left alone: an intake may be between its two
   * writes (the environment, then its job) right now. @default 120_000
   */
  minAgeMs?: number;
}

/** Statuses that promise a job: queued or running. */
const PROMISING_A_JOB: readonly EnvironmentStatus[] = ["queued", "deploying", "destroying"];
/** History read to find the last deploy asked for: a few jobs' worth of events. */
const HISTORY_LIMIT = 100;

/**
 * Finds every environment `queued`, `deploying` or `destroying` with no job at all (none queued,
 * none running, no lease live or expired), changed over `minAgeMs` ago, and repairs it: a crash
 * between creating an environment and queuing its job, or a job lost otherwise, must not leave it
 * so forever. A deploy is queued again at the last commit asked for (a fork's pull request whose
 * approved commit is not known waits for approval again instead); a destroy is queued again. By
 * `stackfork`, with JOB_LOST and "recovered: no job" in history. Nobody asked for this work: it is
 * queued only while the environment still has no job (`enqueueIfIdle`), so it never lands beside
 * or collapses into a job a concurrent intake queued. Serve's periodic sweep and the reaper Lambda
 * call it. Returns the environments it repaired.
 */
export async function repairUnqueuedEnvironments(deps: RepairUnqueuedDeps): Promise<string[]> {
  const now = deps.now();
  const minAgeMs = deps.minAgeMs ?? 120_000;
  const repaired: string[] = [];
  for (const status of PROMISING_A_JOB) {
    for await (const listed of eachEnvironment(deps.registry, { status })) {
      if (now.getTime() - Date.parse(listed.updatedAt) < minAgeMs) continue;
      if ((await deps.queue.listPending(listed.id)).length > 0) continue;
      try {
        if (await repair(deps, listed, now)) repaired.push(listed.id);
      } catch (err) {
        deps.log.error({ err, environment: listed.id }, "could not repair an environment with no job");
      }
    }
  }
  if (repaired.length > 0) {
    deps.log.warn({ environments: repaired }, "environments with no job: their work was queued again");
    deps.wakeWorker?.();
  }
  return repaired;
}

async function repair(deps: RepairUnqueuedDeps, listed: Environment, now: Date): Promise<boolean> {
  const { registry, queue } = deps;
  // Read again: changed since it was listed, it is someone else's business now.
  const environment = await registry.getEnvironment(listed.id);
  if (environment?.status !== listed.status || environment.updatedAt !== listed.updatedAt) return false;
  const why = `recovered: no job (${environment.status} since ${environment.updatedAt}, with no job queued or running)`;
  const event = (fields: Pick<NewHistoryEvent, "type" | "message"> & Partial<NewHistoryEvent>): NewHistoryEvent => ({
    environmentId: environment.id,
    at: now.toISOString(),
    actor: "stackfork",
    errorCode: "JOB_LOST",
    ...fields,
  });

  if (environment.status === "destroying") {
    const job = await queue.enqueueIfIdle(
      { environmentId: environment.id, type: "destroy", reason: { actor: "stackfork", message: why } },
      now,
    );
    if (!job) return false;
    await registry.appendEvent(event({ type: "destroy_requested", message: `${why}: destroying it`, jobId: job.id }));
    return true;
  }

  const last = await findLastDeployAsked(registry, environment.id);
  // A fork's code runs only at a commit someone approved: never "the head of its branch".
  if (environment.kind === "pull_request" && !last?.commitSha) {
    await registry.updateEnvironment(environment.id, { status: "awaiting_approval" }, now);
    await registry.appendEvent(
      event({ type: "status_changed", message: `${why}; the approved commit is not known: awaiting approval again` }),
    );
    return true;
  }
  const commitSha = last?.commitSha;
  const job = await queue.enqueueIfIdle(
    { environmentId: environment.id, type: "deploy", commitSha, reason: { actor: "stackfork", message: why } },
    now,
  );
  if (!job) return false;
  // `deploying` with no job running is not true: the job just queued is what the status should say.
  if (environment.status === "deploying") await registry.updateEnvironment(environment.id, { status: "queued" }, now);
  await registry.appendEvent(
    event({
      type: "deploy_requested",
      message: `${why}: deploying ${commitSha ?? `the head of ${environment.branch}`} again`,
      jobId: job.id,
      commitSha,
    }),
  );
  return true;
}

/**
 * The newest deploy asked for (its request, or its start when the request is older than the history
 * read): what the environment should run. Undefined when history holds none (a crash before the
 * request was recorded); `commitSha` undefined when the head of the branch was asked for.
 */
async function findLastDeployAsked(
  registry: Registry,
  environmentId: string,
): Promise<{ commitSha?: string } | undefined> {
  const events = await registry.listEvents(environmentId, { limit: HISTORY_LIMIT });
  const last = events.findLast((e) => e.type === "deploy_requested" || e.type === "deploy_started");
  return last && { commitSha: last.commitSha };
}
