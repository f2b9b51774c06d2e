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

/** The abort reason of an engine stopped for the invocation's deadline. */
const DEADLINE = "deadline";

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
        const job = await queue.claim(deps.workerId, deps.now(), deps.leaseMs);
        if (!job) break;
        const controller = new AbortController();
        const done = runJob(job, controller)
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

  async function runJob(job: Job, controller: AbortController, deadlineAt?: number): Promise<void> {
    const jobLog = log.child({ jobId: job.id, environment: job.environmentId });
    const environment = await registry.getEnvironment(job.environmentId);
    if (!environment) {
      jobLog.warn("job for an unknown environment dropped");
      await queue.complete(job.id, deps.workerId);
      return;
    }
    const repository = deps.findRepository(environment.repository);
    const heartbeat = keepLease(job, controller, jobLog);
    const deadline =
      deadlineAt === undefined
        ? undefined
        : setTimeout(
            () => {
              jobLog.warn("the invocation's deadline is near: stopping the engine");
              controller.abort(DEADLINE);
            },
            Math.max(0, deadlineAt - Date.now()),
          );
    const logBuffer = createLogBuffer(environment.id, job.id);
    const hooks = {
      signal: controller.signal,
      onOutput: logBuffer.push,
      onRecovery: (message: string) => void record(environment, job, "lock_recovered", message),
    };
    const started = Date.now();
    try {
      if (!repository)
        throw new StackforkError("CONFIG_INVALID", `repository ${environment.repository} is no longer configured`);
      if (job.type === "deploy") await deploy(environment, repository, job, hooks, started);
      else await destroy(environment, repository, job, hooks, started);
      await queue.complete(job.id, deps.workerId);
    } catch (err) {
      await logBuffer.flush();
      await settleFailure(environment, job, err, controller, started, jobLog);
    } finally {
      clearInterval(heartbeat);
      clearTimeout(deadline);
      await logBuffer.flush();
    }
  }

  async function deploy(
    environment: Environment,
    repository: RepositoryConfig,
    job: Job,
    hooks: OperationHooks,
    started: number,
  ) {
    const attempt = job.attempt > 1 ? ` (attempt ${job.attempt})` : "";
    const deploying = await transition(environment.id, "deploying");
    await record(
      environment,
      job,
      "deploy_started",
      `deploying ${job.commitSha ?? `head of ${environment.branch}`}${attempt}`,
    );
    notify({ environment: deploying, phase: "deploying", commitSha: job.commitSha, jobId: job.id });
    const result = await deps.provisioner.deploy({ environment, repository, commitSha: job.commitSha, ...hooks });
    const durationMs = Date.now() - started;
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
    await record(environment, job, "destroy_started", "destroying");
    const result = await deps.provisioner.destroy({ environment, repository, ...hooks });
    const destroyed = await registry.updateEnvironment(
      environment.id,
      { status: "destroyed", url: null, lastError: null, outputs: null },
      deps.now(),
    );
    await record(environment, job, "destroy_succeeded", `destroyed ${describeChanges(result.changes)}`, {
      durationMs: Date.now() - started,
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
  ) {
    const error = isStackforkError(err) ? err : new StackforkError("DEPLOY_FAILED", String(err), { cause: err });
    const durationMs = Date.now() - started;
    const op = job.type;
    if (controller.signal.aborted && controller.signal.reason === DEADLINE) {
      await settleTimeout(environment, job, durationMs, jobLog);
      return;
    }
    if (controller.signal.aborted && stopping) {
      // Shutdown: hand the job back untouched; the next start takes it again and recovers the stack.
      jobLog.warn("job aborted by shutdown; released for the next start");
      await queue.releaseAll(deps.workerId).catch(() => 0);
      return;
    }
    if (controller.signal.aborted && op === "deploy") {
      await record(environment, job, "deploy_aborted", "deploy stopped: a destroy superseded it", {
        durationMs,
        errorCode: "DEPLOY_CANCELLED",
      });
      await queue.complete(job.id, deps.workerId);
      return;
    }
    if (error.code === "LEASE_LOST") {
      jobLog.warn("lease lost: another worker owns the job now");
      return;
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
      return;
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

  function keepLease(job: Job, controller: AbortController, jobLog: Logger): NodeJS.Timeout {
    return setInterval(
      async () => {
        try {
          const { cancelRequested } = await queue.renewLease(job.id, deps.workerId, deps.now(), deps.leaseMs);
          if (cancelRequested && !controller.signal.aborted) {
            jobLog.info("destroy requested: aborting the running deploy");
            controller.abort();
          }
        } catch (err) {
          jobLog.error({ err }, "lease renewal failed: aborting the job");
          controller.abort();
        }
      },
      Math.max(200, Math.floor(deps.leaseMs / 3)),
    );
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
    const deadlineAt = options.remainingMs ? Date.now() + options.remainingMs() - margin : undefined;
    let ran = 0;
    while (!stopping) {
      // A job is started only with time to spare; the rest is left to the wake the queue sends.
      if (deadlineAt !== undefined && deadlineAt - Date.now() < margin) return { ran, handedBack: true };
      const job = await queue.claim(deps.workerId, deps.now(), deps.leaseMs, environmentId);
      if (!job) {
        const wait = await waitForDue(environmentId, deadlineAt);
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        return { ran, handedBack: false };
      }
      const controller = new AbortController();
      const done = runJob(job, controller, deadlineAt).finally(() => running.delete(job.id));
      running.set(job.id, { job, controller, done });
      await done;
      ran++;
    }
    return { ran, handedBack: true };
  }

  /** Milliseconds until the environment's next job comes due, when that is soon enough to wait for. */
  async function waitForDue(environmentId: string, deadlineAt: number | undefined): Promise<number> {
    const [head] = await queue.listPending(environmentId);
    if (!head) return 0;
    const wait = new Date(head.runAfter).getTime() - deps.now().getTime();
    const fits = deadlineAt === undefined || Date.now() + wait < deadlineAt;
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
      const graceful = await Promise.race([all().then(() => true), sleep(graceMs).then(() => false)]);
      if (!graceful) {
        for (const r of running.values()) r.controller.abort();
        await all();
      }
      await Promise.allSettled(notices.values());
    },
    running: () => running.size,
  };
}

function describeChanges(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${n}`);
  return parts.length ? `(${parts.join(", ")})` : "";
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
