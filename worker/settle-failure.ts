import type { Environment } from "../core/environment.ts";
import { type ErrorCode, isStackforkError, StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Job } from "../queue/job-queue.ts";
import { recordJobEvent } from "./record-job-event.ts";
import { type SettleLeaseLostDeps, settleLeaseLost } from "./settle-lease-lost.ts";
import { type SettleTimeoutDeps, settleTimeout } from "./settle-timeout.ts";
import type { StopReason } from "./stop-reason.ts";
import { whoAsked } from "./who-asked.ts";

export interface SettleFailureDeps extends SettleTimeoutDeps, SettleLeaseLostDeps {
  maxAttempts: number;
}

/** Errors worth another attempt: the next try may well succeed. */
const TRANSIENT: readonly ErrorCode[] = ["STACK_LOCKED", "LEASE_LOST", "GITHUB_UNAVAILABLE"];

/**
 * Ends a job whose deploy or destroy threw, by why its engine stopped (if it was told to) and then
 * by the error: handed back (lost lease), retried with a backoff (a transient error, attempts
 * left), released (shutdown), or failed, with the log's last lines on GitHub.
 */
export async function settleFailure(
  deps: SettleFailureDeps,
  environment: Environment,
  job: Job,
  err: unknown,
  controller: AbortController,
  started: number,
  jobLog: Logger,
): Promise<"settled" | "handed-back"> {
  const { registry, queue } = deps;
  const error = isStackforkError(err) ? err : new StackforkError("DEPLOY_FAILED", String(err), { cause: err });
  const durationMs = deps.now().getTime() - started;
  const op = job.type;
  const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined;
  if (reason?.stop === "deadline") {
    await settleTimeout(deps, environment, job, durationMs, jobLog);
    return "settled";
  }
  if (reason?.stop === "lease-lost") {
    await settleLeaseLost(deps, environment, job, reason.error, durationMs, jobLog);
    return "handed-back";
  }
  if (reason?.stop === "shutdown") {
    // Shutdown: hand the job back untouched; the next start takes it again and recovers the stack.
    jobLog.warn("job aborted by shutdown; released for the next start");
    await queue.releaseAll(deps.workerId).catch(() => 0);
    return "settled";
  }
  if (reason?.stop === "destroy" && op === "deploy") {
    await recordJobEvent(deps, environment, job, "deploy_aborted", "deploy stopped: a destroy superseded it", {
      durationMs,
      errorCode: "DEPLOY_CANCELLED",
    });
    await queue.complete(job.id, deps.workerId);
    return "settled";
  }
  if (error.code === "LEASE_LOST") {
    jobLog.warn("lease lost: another worker owns the job now");
    return "settled";
  }
  if (TRANSIENT.includes(error.code) && job.attempt < deps.maxAttempts) {
    const delayMs = 1000 * 2 ** (job.attempt - 1);
    await recordJobEvent(
      deps,
      environment,
      job,
      "retry_scheduled",
      `${op} failed with ${error.code}; retrying in ${delayMs / 1000}s`,
      { errorCode: error.code, durationMs },
    );
    await queue.retry(job.id, deps.workerId, new Date(deps.now().getTime() + delayMs));
    return "settled";
  }
  jobLog.error({ err: error }, `${op} failed`);
  const failed = await registry.updateEnvironment(
    environment.id,
    { status: "failed", lastError: { code: error.code, message: error.message } },
    deps.now(),
  );
  await recordJobEvent(deps, environment, job, op === "deploy" ? "deploy_failed" : "destroy_failed", error.message, {
    durationMs,
    errorCode: error.code,
  });
  const logTail = (await registry.readLog(environment.id, { jobId: job.id })).slice(-20).map((line) => line.text);
  deps.notify({
    environment: failed,
    phase: "failed",
    commitSha: job.commitSha,
    error: { code: error.code, message: error.message },
    logTail,
    jobId: job.id,
    by: whoAsked(job.reason),
  });
  await queue.complete(job.id, deps.workerId);
  return "settled";
}
