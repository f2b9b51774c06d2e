import type { RepositoryConfig } from "../core/config.ts";
import type { Environment } from "../core/environment.ts";
import { type ErrorCode, isStackforkError, StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Notifier } from "../github/notifier.ts";
import type { OperationHooks, Provisioner } from "../provisioner/provisioner.ts";
import type { Job, JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";

export interface WorkerDeps {
  registry: Registry;
  queue: JobQueue;
  provisioner: Provisioner;
  notifier: Notifier;
  findRepository: (fullName: string) => RepositoryConfig | undefined;
  log: Logger;
  now: () => Date;
  /**
   * Waits `ms` on the clock `now` reads, resolving early when `signal` aborts: the lease's renewals
   * run on it. Tests pass a fake clock's. @default real timers
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Lease owner name: unique per process. */
  workerId: string;
  /** Engine runs at once, across environments. */
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  /** How often to look for work when nobody wakes the worker. @default 500 */
  pollMs?: number;
  /**
   * Look for work on a timer (embedded). Off where wakes come from outside (SQS: `handleWake`), so
   * an idle platform makes no requests. @default true
   */
  poll?: boolean;
  /**
   * How long before a wake's deadline the engine is told to stop: a clean stop (the engine writes
   * its state, releases its lock) takes a while. @default 60_000
   */
  deadlineMarginMs?: number;
  /**
   * A job taken over from an expired lease starts only this long after that lease ran out: its
   * holder's runner may still be stopping, and recovery (cancel the stack's lock, clear its pending
   * operations) must wait until it is gone. Longer than the provisioner takes from an abort to the
   * runner's hard kill, plus the clock skew between workers. @default 30_000
   */
  takeoverGraceMs?: number;
  /** A wake waits this long at most for its environment's next job to come due (a retry's backoff). @default 30_000 */
  maxWaitForDueMs?: number;
}

export interface WakeOptions {
  /** Milliseconds this invocation has left (Lambda's `getRemainingTimeInMillis`); none: no deadline. */
  remainingMs?: () => number;
}

export interface WakeOutcome {
  /** Jobs run to an end (done, failed, or handed back). */
  ran: number;
  /** The deadline came before the environment's work was done; a wake for the rest is queued. */
  handedBack: boolean;
}

export interface Worker {
  start(): void;
  /** Looks for work now (a job was just enqueued in this process). */
  wake(): void;
  /**
   * A wake from the queue (SQS): runs the environment's due jobs one after another, through the
   * same job path as the embedded loop, stopping the engine cleanly before the deadline. A wake
   * with nothing claimable does nothing.
   */
  handleWake(environmentId: string, options?: WakeOptions): Promise<WakeOutcome>;
  /** Stops taking jobs; waits up to graceMs for running ones, then aborts them and waits for them to settle. */
  stop(graceMs: number): Promise<void>;
  /** Jobs running now. */
  running(): number;
}

/**
 * Why a job's engine was told to stop (`AbortController.abort(reason)`): each ends the job its own
 * way. A destroy completes the deploy it superseded; a lost lease and a deadline hand the job back;
 * a shutdown releases it.
 */
type StopReason =
  | { stop: "deadline" }
  | { stop: "destroy" }
  | { stop: "lease-lost"; error: StackforkError }
  | { stop: "shutdown" };

/** Errors worth another attempt: the next try may well succeed. */
const TRANSIENT: readonly ErrorCode[] = ["STACK_LOCKED", "LEASE_LOST", "GITHUB_UNAVAILABLE"];
const MAX_LOG_BATCH = 50;

/**
 * Takes jobs in per-environment order, drives the provisioner, writes history and the engine log,
 * and never leaves an environment `deploying` after a crash: the job's lease expires (or the
 * restart releases it), the job is taken again, and the provisioner recovers the stack.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { registry, queue, log } = deps;
  const sleep = deps.sleep ?? sleepOnTimers;
  const running = new Map<string, { job: Job; controller: AbortController; done: Promise<void> }>();
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let filling = false;
  const notices = new Map<string, Promise<void>>();

  function schedule(delayMs: number) {
    if (stopping) return;
    clearTimeout(timer);
    timer = setTimeout(() => void fill(), delayMs);
  }

  async function fill(): Promise<void> {
    // A flag, not the promise: the body may finish synchronously (no free slot), before an
    // assignment of its promise would happen, and a stale promise would wedge the worker.
    if (filling) return;
    filling = true;
    try {
      while (!stopping && running.size < deps.concurrency) {
        const claimedAt = deps.now();
        const job = await queue.claim(deps.workerId, claimedAt, deps.leaseMs);
        if (!job) break;
        const controller = new AbortController();
        const done = runJob(job, controller, claimedAt)
          .then(() => undefined)
          .catch((err: unknown) =>
            log.error({ err, jobId: job.id }, "job crashed; its lease will expire and it runs again"),
          )
          .finally(() => {
            running.delete(job.id);
            schedule(0);
          });
        running.set(job.id, { job, controller, done });
      }
    } catch (err) {
      log.error({ err }, "could not take a job");
    } finally {
      filling = false;
      schedule(deps.pollMs ?? 500);
    }
  }

  /** Runs a claimed job to its end; "handed-back" when its lease was lost and the job went back to the queue. */
  async function runJob(
    job: Job,
    controller: AbortController,
    claimedAt: Date,
    deadlineAt?: number,
  ): Promise<"settled" | "handed-back"> {
    const jobLog = log.child({ jobId: job.id, environment: job.environmentId });
    const environment = await registry.getEnvironment(job.environmentId);
    if (!environment) {
      jobLog.warn("job for an unknown environment dropped");
      await queue.complete(job.id, deps.workerId);
      return "settled";
    }
    const repository = deps.findRepository(environment.repository);
    const lease = keepLease(job, controller, claimedAt.getTime(), jobLog);
    const deadline = new AbortController();
    if (deadlineAt !== undefined) {
      void sleep(deadlineAt - deps.now().getTime(), deadline.signal).then(() => {
        if (deadline.signal.aborted || controller.signal.aborted) return;
        jobLog.warn("the invocation's deadline is near: stopping the engine");
        controller.abort({ stop: "deadline" } satisfies StopReason);
      });
    }
    const logBuffer = createLogBuffer(environment.id, job.id);
    const hooks = {
      signal: controller.signal,
      onOutput: logBuffer.push,
      onRecovery: (message: string) => void record(environment, job, "lock_recovered", message),
    };
    const started = deps.now().getTime();
    try {
      const notBefore = await waitForPreviousRunner(job, controller.signal, jobLog);
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
      if (job.type === "deploy") await deploy(environment, repository, job, hooks, started);
      else await destroy(environment, repository, job, hooks, started);
      await queue.complete(job.id, deps.workerId);
      return "settled";
    } catch (err) {
      await logBuffer.flush();
      return await settleFailure(environment, job, err, controller, started, jobLog);
    } finally {
      lease.stop();
      deadline.abort();
      await logBuffer.flush();
    }
  }

  /**
   * A job taken over from an expired lease: the engine of its previous holder may still be stopping
   * (a graceful stop can outlast the lease; the provisioner kills the runner some seconds after the
   * abort), and recovery cancels the stack's lock and clears its pending operations: two engines
   * would write one stack. So nothing starts before that lease's expiry plus the grace; this
   * worker keeps its own lease meanwhile. Returns that time (epoch ms) for a taken-over job.
   */
  async function waitForPreviousRunner(job: Job, signal: AbortSignal, jobLog: Logger): Promise<number | undefined> {
    if (!job.takenOver) return undefined;
    const notBefore = Date.parse(job.takenOver.leaseExpiredAt) + (deps.takeoverGraceMs ?? 30_000);
    const waitMs = notBefore - deps.now().getTime();
    if (waitMs > 0) {
      jobLog.info(
        { previousOwner: job.takenOver.owner, leaseExpiredAt: job.takenOver.leaseExpiredAt, waitMs },
        "taken over from an expired lease: waiting until its runner is surely gone",
      );
      // A destroy asked meanwhile does not cut the wait short: the destroy would run next, at once.
      const interrupted = new AbortController();
      const onAbort = () => {
        if ((signal.reason as StopReason).stop !== "destroy") interrupted.abort();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      if (signal.aborted) onAbort();
      await sleep(waitMs, interrupted.signal);
      signal.removeEventListener("abort", onAbort);
    }
    return notBefore;
  }

  async function deploy(
    environment: Environment,
    repository: RepositoryConfig,
    job: Job,
    hooks: OperationHooks,
    started: number,
  ) {
    const attempt = describeAttempt(job);
    const deploying = await transition(environment.id, "deploying");
    await record(
      environment,
      job,
      "deploy_started",
      `deploying ${job.commitSha ?? `head of ${environment.branch}`}${attempt}`,
    );
    notify({ environment: deploying, phase: "deploying", commitSha: job.commitSha, jobId: job.id });
    const result = await deps.provisioner.deploy({ environment, repository, commitSha: job.commitSha, ...hooks });
    const durationMs = deps.now().getTime() - started;
    // A destroy requested while the engine ran (and too late to abort it) wins: no `ready` in between.
    if ((await registry.getEnvironment(environment.id))?.status === "destroying") {
      await record(environment, job, "deploy_superseded", "deploy finished, but a destroy is queued", {
        durationMs,
        commitSha: result.commitSha,
      });
      return;
    }
    const now = deps.now();
    const expiresAt =
      repository.ttlHours > 0 ? new Date(now.getTime() + repository.ttlHours * 3_600_000).toISOString() : null;
    const ready = await registry.updateEnvironment(
      environment.id,
      {
        status: "ready",
        url: result.url ?? null,
        commitSha: result.commitSha,
        lastError: null,
        lastDeployMs: durationMs,
        expiresAt,
        outputs: result.outputs,
      },
      now,
    );
    await record(
      environment,
      job,
      "deploy_succeeded",
      `ready at ${result.url ?? "(no url output)"} ${describeChanges(result.changes)}`,
      {
        durationMs,
        commitSha: result.commitSha,
      },
    );
    notify({ environment: ready, phase: "ready", commitSha: result.commitSha, jobId: job.id });
  }

  async function destroy(
    environment: Environment,
    repository: RepositoryConfig,
    job: Job,
    hooks: OperationHooks,
    started: number,
  ) {
    await transition(environment.id, "destroying");
    await record(environment, job, "destroy_started", `destroying${describeAttempt(job)}`);
    const result = await deps.provisioner.destroy({ environment, repository, ...hooks });
    const destroyed = await registry.updateEnvironment(
      environment.id,
      { status: "destroyed", url: null, lastError: null, outputs: null },
      deps.now(),
    );
    await record(environment, job, "destroy_succeeded", `destroyed ${describeChanges(result.changes)}`, {
      durationMs: deps.now().getTime() - started,
    });
    notify({ environment: destroyed, phase: "destroyed", jobId: job.id, reason: job.reason.message });
  }

  async function settleFailure(
    environment: Environment,
    job: Job,
    err: unknown,
    controller: AbortController,
    started: number,
    jobLog: Logger,
  ): Promise<"settled" | "handed-back"> {
    const error = isStackforkError(err) ? err : new StackforkError("DEPLOY_FAILED", String(err), { cause: err });
    const durationMs = deps.now().getTime() - started;
    const op = job.type;
    const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined;
    if (reason?.stop === "deadline") {
      await settleTimeout(environment, job, durationMs, jobLog);
      return "settled";
    }
    if (reason?.stop === "lease-lost") {
      await settleLeaseLost(environment, job, reason.error, durationMs, jobLog);
      return "handed-back";
    }
    if (reason?.stop === "shutdown") {
      // Shutdown: hand the job back untouched; the next start takes it again and recovers the stack.
      jobLog.warn("job aborted by shutdown; released for the next start");
      await queue.releaseAll(deps.workerId).catch(() => 0);
      return "settled";
    }
    if (reason?.stop === "destroy" && op === "deploy") {
      await record(environment, job, "deploy_aborted", "deploy stopped: a destroy superseded it", {
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
      await record(
        environment,
        job,
        "retry_scheduled",
        `${op} failed with ${error.code}; retrying in ${delayMs / 1000}s`,
        {
          errorCode: error.code,
          durationMs,
        },
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
    await record(environment, job, op === "deploy" ? "deploy_failed" : "destroy_failed", error.message, {
      durationMs,
      errorCode: error.code,
    });
    const logTail = (await registry.readLog(environment.id, { jobId: job.id })).slice(-20).map((line) => line.text);
    notify({
      environment: failed,
      phase: "failed",
      commitSha: job.commitSha,
      error: { code: error.code, message: error.message },
      logTail,
      jobId: job.id,
    });
    await queue.complete(job.id, deps.workerId);
    return "settled";
  }

  /**
   * The engine was stopped because the job's lease could not be renewed (the queue's store was
   * unreachable or busy for longer than the lease had left, or another worker took the job). The
   * job is not done: it goes back to the queue, and history says why, with LEASE_LOST. The store
   * may still be unreachable: then the lease expires, and the job is taken over once it has (and
   * after the grace that lets this engine die first).
   */
  async function settleLeaseLost(
    environment: Environment,
    job: Job,
    error: StackforkError,
    durationMs: number,
    jobLog: Logger,
  ) {
    const delayMs = Math.min(60_000, 1000 * 2 ** (job.attempt - 1));
    await record(
      environment,
      job,
      "retry_scheduled",
      `${job.type} stopped: ${error.message}; handed back to run again in ${delayMs / 1000}s`,
      { durationMs, errorCode: error.code },
    ).catch((err: unknown) => jobLog.error({ err }, "could not record the lost lease in history"));
    await queue.retry(job.id, deps.workerId, new Date(deps.now().getTime() + delayMs)).catch((err: unknown) => {
      if (isStackforkError(err, "LEASE_LOST")) jobLog.warn("another worker holds the job now");
      else jobLog.warn({ err }, "could not hand the job back: it runs again once its lease expires");
    });
  }

  /**
   * The engine was stopped before the invocation's deadline. The first time, the job goes back to
   * the queue at once (the next invocation starts with a full 15 minutes); a job that already ran
   * out of time once cannot finish on Lambda at all: it fails with DEPLOY_TIMEOUT, not a loop.
   */
  async function settleTimeout(environment: Environment, job: Job, durationMs: number, jobLog: Logger) {
    const history = await registry.listEvents(environment.id, { limit: 50 });
    const timedOutBefore = history.some((e) => e.jobId === job.id && e.errorCode === "DEPLOY_TIMEOUT");
    const message = `${job.type} stopped before the deadline after ${Math.round(durationMs / 1000)}s`;
    if (!timedOutBefore) {
      await record(environment, job, "retry_scheduled", `${message}; handed back to run again`, {
        durationMs,
        errorCode: "DEPLOY_TIMEOUT",
      });
      await queue.retry(job.id, deps.workerId, deps.now());
      return;
    }
    jobLog.error(`${message}, the second time: it cannot finish within one invocation`);
    const error = {
      code: "DEPLOY_TIMEOUT" as const,
      message: `${message}, twice: it cannot finish within one invocation`,
    };
    const failed = await registry.updateEnvironment(environment.id, { status: "failed", lastError: error }, deps.now());
    await record(environment, job, job.type === "deploy" ? "deploy_failed" : "destroy_failed", error.message, {
      durationMs,
      errorCode: error.code,
    });
    notify({ environment: failed, phase: "failed", commitSha: job.commitSha, error, jobId: job.id });
    await queue.complete(job.id, deps.workerId);
  }

  /**
   * Renews the job's lease a third of the way through, until `stop()`; a stopping engine still
   * holds it until the job settles. A renewal that fails is tried again every little while as long
   * as the lease has time left; once it has not (or the queue says another worker holds the job),
   * the engine is stopped with a "lease-lost" reason, before anyone else may start on the stack.
   */
  function keepLease(job: Job, controller: AbortController, claimedAt: number, jobLog: Logger) {
    const stopped = new AbortController();
    const every = Math.max(200, Math.floor(deps.leaseMs / 3));
    const retryMs = Math.max(100, Math.floor(deps.leaseMs / 30));
    let expiresAt = claimedAt + deps.leaseMs;

    const lose = (error: StackforkError) => {
      jobLog.error(
        { err: error, leaseExpiresAt: new Date(expiresAt).toISOString() },
        "lease lost: stopping the engine",
      );
      if (!controller.signal.aborted) controller.abort({ stop: "lease-lost", error } satisfies StopReason);
    };

    /** The renewal's answer, or "late" when the lease would run out (with a retry's margin) first. */
    const renew = async (at: Date) => {
      const late = new AbortController();
      const renewal = queue.renewLease(job.id, deps.workerId, at, deps.leaseMs).then(
        (answer) => ({ answer }),
        (err: unknown) => ({ err }),
      );
      const timeout = sleep(expiresAt - retryMs - at.getTime(), late.signal).then(() => "late" as const);
      try {
        return await Promise.race([renewal, timeout]);
      } finally {
        late.abort();
      }
    };

    void (async () => {
      let delay = every;
      while (!stopped.signal.aborted) {
        await sleep(delay, stopped.signal);
        if (stopped.signal.aborted) return;
        const at = deps.now();
        const outcome = await renew(at);
        if (stopped.signal.aborted) return;
        if (outcome !== "late" && "answer" in outcome) {
          expiresAt = at.getTime() + deps.leaseMs;
          delay = every;
          if (outcome.answer.cancelRequested && !controller.signal.aborted) {
            jobLog.info("destroy requested: aborting the running deploy");
            controller.abort({ stop: "destroy" } satisfies StopReason);
          }
          continue;
        }
        const err = outcome === "late" ? undefined : outcome.err;
        if (isStackforkError(err, "LEASE_LOST")) return lose(err);
        const left = expiresAt - deps.now().getTime();
        if (outcome !== "late" && left > 2 * retryMs) {
          jobLog.warn({ err, leftMs: left }, "lease renewal failed: trying again");
          delay = retryMs;
          continue;
        }
        // The code only: history is shown outside the platform team, and AWS's messages name its resources.
        const cause = isStackforkError(err) ? err.code : err ? "an unexpected error" : "no answer in time";
        return lose(
          new StackforkError("LEASE_LOST", `the job's lease could not be renewed before it expired (${cause})`, {
            cause: err,
            details: { jobId: job.id, owner: deps.workerId },
          }),
        );
      }
    })();

    return { stop: () => stopped.abort() };
  }

  function createLogBuffer(environmentId: string, jobId: string) {
    let lines: string[] = [];
    let writing = Promise.resolve();
    const flush = () => {
      if (lines.length === 0) return writing;
      const batch = lines;
      lines = [];
      writing = writing
        .then(() => registry.appendLog(environmentId, jobId, batch, deps.now()))
        .catch((err) => {
          log.error({ err }, "could not write the engine log");
        });
      return writing;
    };
    const tick = setInterval(() => void flush(), 250);
    return {
      push: (line: string) => {
        lines.push(line);
        if (lines.length >= MAX_LOG_BATCH) void flush();
      },
      flush: async () => {
        clearInterval(tick);
        await flush();
      },
    };
  }

  async function transition(environmentId: string, status: Environment["status"]) {
    return registry.updateEnvironment(environmentId, { status }, deps.now());
  }

  /**
   * Notices never hold up the engine (GitHub asks for about a second between writes), yet reach
   * GitHub in order: one chain per environment. A notifier that throws anyway changes no outcome.
   */
  function notify(notice: Parameters<Notifier["notify"]>[0]): void {
    const id = notice.environment.id;
    const next = (notices.get(id) ?? Promise.resolve())
      .then(() => deps.notifier.notify(notice))
      .catch((err: unknown) => log.error({ err, environment: id }, "notifier failed"));
    notices.set(id, next);
    void next.then(() => {
      if (notices.get(id) === next) notices.delete(id);
    });
  }

  async function record(
    environment: Environment,
    job: Job,
    type: Parameters<Registry["appendEvent"]>[0]["type"],
    message: string,
    extra: { durationMs?: number; errorCode?: string; commitSha?: string } = {},
  ) {
    await registry.appendEvent({
      environmentId: environment.id,
      at: deps.now().toISOString(),
      type,
      message,
      actor: job.reason.actor,
      deliveryId: job.reason.deliveryId,
      jobId: job.id,
      commitSha: extra.commitSha ?? job.commitSha,
      durationMs: extra.durationMs,
      errorCode: extra.errorCode,
    });
  }

  async function handleWake(environmentId: string, options: WakeOptions = {}): Promise<WakeOutcome> {
    const margin = deps.deadlineMarginMs ?? 60_000;
    const deadlineAt = options.remainingMs ? deps.now().getTime() + options.remainingMs() - margin : undefined;
    let ran = 0;
    while (!stopping) {
      // A job is started only with time to spare; the rest is left to the wake the queue sends.
      if (deadlineAt !== undefined && deadlineAt - deps.now().getTime() < margin) return { ran, handedBack: true };
      const claimedAt = deps.now();
      const job = await queue.claim(deps.workerId, claimedAt, deps.leaseMs, environmentId);
      if (!job) {
        const wait = await waitForDue(environmentId, deadlineAt);
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        return { ran, handedBack: false };
      }
      const controller = new AbortController();
      const done = runJob(job, controller, claimedAt, deadlineAt).finally(() => running.delete(job.id));
      running.set(job.id, { job, controller, done: done.then(() => undefined) });
      const settled = await done;
      ran++;
      // The queue's store failed this job's lease: the wake ends; the job comes back on its own wake.
      if (settled === "handed-back") return { ran, handedBack: true };
    }
    return { ran, handedBack: true };
  }

  /** Milliseconds until the environment's next job comes due, when that is soon enough to wait for. */
  async function waitForDue(environmentId: string, deadlineAt: number | undefined): Promise<number> {
    const [head] = await queue.listPending(environmentId);
    if (!head) return 0;
    const wait = new Date(head.runAfter).getTime() - deps.now().getTime();
    const fits = deadlineAt === undefined || deps.now().getTime() + wait < deadlineAt;
    return wait > 0 && wait <= (deps.maxWaitForDueMs ?? 30_000) && fits ? wait : 0;
  }

  const polling = deps.poll ?? true;
  return {
    start() {
      stopping = false;
      // Jobs this worker id held before a restart are ours to take again, at once.
      void queue.releaseAll(deps.workerId).then(() => (polling ? fill() : undefined));
    },
    wake() {
      if (polling) schedule(0);
    },
    handleWake,
    async stop(graceMs) {
      stopping = true;
      clearTimeout(timer);
      const all = () => Promise.allSettled([...running.values()].map((r) => r.done));
      const graceOver = new AbortController();
      const graceful = await Promise.race([all().then(() => true), sleep(graceMs, graceOver.signal).then(() => false)]);
      graceOver.abort();
      if (!graceful) {
        for (const r of running.values()) r.controller.abort({ stop: "shutdown" } satisfies StopReason);
        await all();
      }
      await Promise.allSettled(notices.values());
    },
    running: () => running.size,
  };
}

function describeAttempt(job: Job): string {
  const takenOver = job.takenOver
    ? `; taken over from ${job.takenOver.owner}, whose lease expired at ${job.takenOver.leaseExpiredAt}`
    : "";
  return job.attempt > 1 || takenOver ? ` (attempt ${job.attempt}${takenOver})` : "";
}

function describeChanges(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${n}`);
  return parts.length ? `(${parts.join(", ")})` : "";
}

/** Real timers: resolves after `ms`, or as soon as `signal` aborts. */
function sleepOnTimers(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
