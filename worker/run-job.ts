import { StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { Job } from "../queue/job-queue.ts";
import { type BufferJobLogDeps, bufferJobLog } from "./buffer-job-log.ts";
import { type DeployEnvironmentDeps, deployEnvironment } from "./deploy-environment.ts";
import { type DestroyEnvironmentDeps, destroyEnvironment } from "./destroy-environment.ts";
import { type KeepLeaseDeps, keepLease } from "./keep-lease.ts";
import { recordJobEvent } from "./record-job-event.ts";
import { type SettleFailureDeps, settleFailure } from "./settle-failure.ts";
import type { StopReason } from "./stop-reason.ts";
import { type WaitForPreviousRunnerDeps, waitForPreviousRunner } from "./wait-for-previous-runner.ts";

export interface RunJobDeps
  extends KeepLeaseDeps,
    WaitForPreviousRunnerDeps,
    BufferJobLogDeps,
    DeployEnvironmentDeps,
    DestroyEnvironmentDeps,
    SettleFailureDeps {
  findRepository: (fullName: string) => RepositoryConfig | undefined;
  log: Logger;
}

/** How a job ended: "handed-back" when its lease was lost and the job went back to the queue. */
export type JobEnd = "settled" | "handed-back";

/** `runJob` with its deps bound: what the loop and `handleWake` call for each claimed job. */
export type RunClaimedJob = (
  job: Job,
  controller: AbortController,
  claimedAt: Date,
  deadlineAt?: number,
) => Promise<JobEnd>;

/**
 * Runs a claimed job to its end: keeps its lease, stops the engine before `deadlineAt` (epoch ms,
 * a wake's), waits out a taken-over lease's previous runner, deploys or destroys, and settles.
 */
export async function runJob(
  deps: RunJobDeps,
  job: Job,
  controller: AbortController,
  claimedAt: Date,
  deadlineAt?: number,
): Promise<JobEnd> {
  const { registry, queue } = deps;
  const jobLog = deps.log.child({ jobId: job.id, environment: job.environmentId });
  const environment = await registry.getEnvironment(job.environmentId);
  if (!environment) {
    jobLog.warn("job for an unknown environment dropped");
    await queue.complete(job.id, deps.workerId);
    return "settled";
  }
  const repository = deps.findRepository(environment.repository);
  const lease = keepLease(deps, job, controller, claimedAt.getTime(), jobLog);
  const deadline = new AbortController();
  if (deadlineAt !== undefined) {
    void deps.sleep(deadlineAt - deps.now().getTime(), deadline.signal).then(() => {
      if (deadline.signal.aborted || controller.signal.aborted) return;
      jobLog.warn("the invocation's deadline is near: stopping the engine");
      controller.abort({ stop: "deadline" } satisfies StopReason);
    });
  }
  const logBuffer = bufferJobLog(deps, environment.id, job.id);
  const hooks = {
    signal: controller.signal,
    onOutput: logBuffer.push,
    onRecovery: (message: string) => void recordJobEvent(deps, environment, job, "lock_recovered", message),
  };
  const started = deps.now().getTime();
  try {
    const notBefore = await waitForPreviousRunner(deps, job, controller.signal, jobLog);
    const stopped = controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined;
    if (notBefore !== undefined && stopped && stopped.stop !== "destroy") {
      // Stopped while waiting, before anything ran: back to the queue, for when that runner is gone.
      await queue.retry(job.id, deps.workerId, new Date(Math.max(notBefore, deps.now().getTime()))).catch((err) => {
        jobLog.warn({ err }, "could not hand the job back: it runs again once its lease expires");
      });
      return stopped.stop === "lease-lost" ? "handed-back" : "settled";
    }
    if (!repository)
      throw new StackforkError("CONFIG_INVALID", `repository ${environment.repository} is no longer configured`);
    if (job.type === "deploy") await deployEnvironment(deps, environment, repository, job, hooks, started);
    else await destroyEnvironment(deps, environment, repository, job, hooks, started);
    await queue.complete(job.id, deps.workerId);
    return "settled";
  } catch (err) {
    await logBuffer.flush();
    return await settleFailure(deps, environment, job, err, controller, started, jobLog);
  } finally {
    lease.stop();
    deadline.abort();
    await logBuffer.flush();
  }
}
