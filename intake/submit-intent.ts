import type { Environment } from "../core/environment.ts";
import type { ErrorCode } from "../core/errors.ts";
import { findPendingApproval } from "../core/find-pending-approval.ts";
import type { Intent } from "../core/intent.ts";
import type { Notifier } from "../github/notifier.ts";
import type { EnqueueResult, JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";

export interface SubmitIntentDeps {
  registry: Registry;
  queue: JobQueue;
  nameMaxLength: number;
  /** Tells an in-process worker that a job is waiting, so it does not wait for its next poll. */
  wakeWorker?: () => void;
  /** Tells GitHub that a fork's pull request awaits approval; without it, history alone says so. */
  notifier?: Notifier;
}

export type SubmitResult =
  | { outcome: "queued"; environment: Environment; jobId: string; collapsed: boolean }
  /** A fork's commit recorded as awaiting approval: no job. */
  | { outcome: "held"; environment: Environment; commitSha: string }
  | { outcome: "extended"; environment: Environment }
  /** Destroyed at once, with no job: nothing had ever been deployed (a fork never approved). */
  | { outcome: "destroyed"; environment: Environment }
  | { outcome: "ignored"; code: ErrorCode; reason: string; environment?: Environment };

type DeployIntent = Extract<Intent, { type: "deploy" }>;
type DestroyIntent = Extract<Intent, { type: "destroy" }>;
type HoldIntent = Extract<Intent, { type: "hold" }>;

/** History read to find a fork's pending commit: a few jobs' worth of events. */
const APPROVAL_HISTORY_LIMIT = 100;

/**
 * Turns an intent into a durable job (or, for `extend` and `hold`, a change with no job) and records
 * why in the environment's history. Called from the webhook, the API and the CLI alike: the one way
 * work enters the queue.
 */
export async function submitIntent(deps: SubmitIntentDeps, intent: Intent, now: Date): Promise<SubmitResult> {
  switch (intent.type) {
    case "deploy":
      return submitDeploy(deps, intent, now);
    case "destroy":
      return submitDestroy(deps, intent, now);
    case "extend":
      return extendExpiry(deps.registry, intent, now);
    case "hold":
      return holdForApproval(deps, intent, now);
  }
}

async function submitDeploy(deps: SubmitIntentDeps, intent: DeployIntent, now: Date): Promise<SubmitResult> {
  // A fork's code runs only at a commit someone approved: never "the head of its branch", a name
  // that may also be one of the repository's own branches (README, "Fork pull requests").
  if (intent.identity.kind === "pull_request" && !intent.commitSha)
    return {
      outcome: "ignored",
      code: "INVALID_INPUT",
      reason: `${describe(intent)} deploys only an approved commit: no commit was given`,
    };
  let environment = await deps.registry.ensureEnvironment(intent.identity, {
    status: "queued",
    now,
    nameMaxLength: deps.nameMaxLength,
  });
  if (intent.pullRequest !== undefined) {
    if (environment.pullRequest !== intent.pullRequest) {
      environment = await deps.registry.updateEnvironment(environment.id, { pullRequest: intent.pullRequest }, now);
    }
    // The push of this commit has (or will have) its own job: a second engine run would change nothing.
    if (intent.commitSha && (await isDeployingCommit(deps, environment, intent.commitSha))) {
      return {
        outcome: "ignored",
        code: "ALREADY_DEPLOYED",
        reason: `${environment.name} is already deployed or queued at ${intent.commitSha.slice(0, 7)}; linked to #${intent.pullRequest}`,
        environment,
      };
    }
  }
  return enqueue(deps, environment, intent, now);
}

async function submitDestroy(deps: SubmitIntentDeps, intent: DestroyIntent, now: Date): Promise<SubmitResult> {
  const found = await deps.registry.findEnvironment(intent.identity);
  if (!found) return { outcome: "ignored", code: "NOTHING_TO_DO", reason: `no environment for ${describe(intent)}` };
  if (found.status === "destroyed")
    return {
      outcome: "ignored",
      code: "NOTHING_TO_DO",
      reason: `${found.name} is already destroyed`,
      environment: found,
    };
  if (found.status === "awaiting_approval" && !(await mayHaveStack(deps.registry, found))) {
    // A fork never approved has no stack: no engine run, and no stack created only to be destroyed.
    const environment = await deps.registry.updateEnvironment(found.id, { status: "destroyed", url: null }, now);
    await deps.registry.appendEvent({
      ...eventBase(found, intent, now),
      type: "destroy_succeeded",
      message: `${intent.cause.message}: nothing had been deployed`,
    });
    return { outcome: "destroyed", environment };
  }
  return enqueue(deps, found, intent, now);
}

async function enqueue(
  deps: SubmitIntentDeps,
  found: Environment,
  intent: DeployIntent | DestroyIntent,
  now: Date,
): Promise<SubmitResult> {
  const { registry, queue } = deps;
  let environment = found;
  const result = await queue.enqueue(
    {
      environmentId: environment.id,
      type: intent.type,
      commitSha: intent.type === "deploy" ? intent.commitSha : undefined,
      reason: intent.cause,
    },
    now,
  );
  await recordRequest(registry, environment, intent, result, now);

  // A deploy queued behind a running one leaves the status to the running job; a destroy shows at once.
  const settled = !["deploying", "destroying"].includes(environment.status);
  if (intent.type === "destroy") {
    environment = await registry.updateEnvironment(environment.id, { status: "destroying" }, now);
  } else if (settled && environment.status !== "queued") {
    environment = await registry.updateEnvironment(environment.id, { status: "queued" }, now);
  }
  deps.wakeWorker?.();
  return { outcome: "queued", environment, jobId: result.job.id, collapsed: result.collapsed };
}

/**
 * A fork's commit waits for approval: the environment becomes `awaiting_approval` (no job) and its
 * history records the commit, which `/stackfork deploy` then approves. When an approved deploy is
 * already queued or running it goes on (its commit was approved); the new commit waits in history.
 */
async function holdForApproval(deps: SubmitIntentDeps, intent: HoldIntent, now: Date): Promise<SubmitResult> {
  const { registry } = deps;
  const short = intent.commitSha.slice(0, 7);
  const existing = await registry.findEnvironment(intent.identity);
  if (existing?.status === "destroying")
    return {
      outcome: "ignored",
      code: "NOTHING_TO_DO",
      reason: `${existing.name} is being destroyed`,
      environment: existing,
    };
  const approved = existing !== undefined && ["queued", "deploying", "ready", "failed"].includes(existing.status);
  if (existing && approved) {
    if (await isDeployingCommit(deps, existing, intent.commitSha))
      return {
        outcome: "ignored",
        code: "ALREADY_DEPLOYED",
        reason: `${existing.name} is already approved at ${short}`,
        environment: existing,
      };
    if (intent.keepApproval) {
      const cause = { ...intent.cause, message: `${intent.cause.message} (approval kept: reapproveForkPushes is off)` };
      return enqueue(
        deps,
        existing,
        { type: "deploy", identity: intent.identity, commitSha: intent.commitSha, cause },
        now,
      );
    }
  }

  let environment =
    existing ??
    (await registry.ensureEnvironment(intent.identity, {
      status: "awaiting_approval",
      now,
      nameMaxLength: deps.nameMaxLength,
    }));
  if (environment.status === "awaiting_approval") {
    const pending = findPendingApproval(await registry.listEvents(environment.id, { limit: APPROVAL_HISTORY_LIMIT }));
    if (existing && pending?.commitSha === intent.commitSha)
      return {
        outcome: "ignored",
        code: "NOTHING_TO_DO",
        reason: `${environment.name} already awaits approval at ${short}`,
        environment,
      };
  }
  // Not from `queued`/`deploying`: their approved job would then find the environment awaiting.
  if (["ready", "failed", "destroyed"].includes(environment.status)) {
    environment = await registry.updateEnvironment(environment.id, { status: "awaiting_approval" }, now);
  }
  await registry.appendEvent({
    ...eventBase(environment, intent, now),
    type: "approval_required",
    commitSha: intent.commitSha,
    message: `${intent.cause.message}: awaiting approval by someone with write access (/stackfork deploy ${short}, or the approval label)`,
  });
  await deps.notifier
    ?.notify({ environment, phase: "awaiting_approval", commitSha: intent.commitSha })
    .catch(() => undefined); // a notifier must not throw; if one does, the hold stands
  return { outcome: "held", environment, commitSha: intent.commitSha };
}

/** An extension is not a job: it changes `expiresAt` at once, and history says who asked. */
async function extendExpiry(
  registry: Registry,
  intent: Extract<Intent, { type: "extend" }>,
  now: Date,
): Promise<SubmitResult> {
  const found = await registry.findEnvironment(intent.identity);
  if (!found) return { outcome: "ignored", code: "NOTHING_TO_DO", reason: `no environment for ${describe(intent)}` };
  if (found.status === "destroyed" || found.status === "destroying")
    return {
      outcome: "ignored",
      code: "NOTHING_TO_DO",
      reason: `${found.name} is ${found.status}`,
      environment: found,
    };
  // Extending an environment that never expires would give it an expiry: nothing to do.
  if (!found.expiresAt)
    return { outcome: "ignored", code: "NOTHING_TO_DO", reason: `${found.name} does not expire`, environment: found };
  const from = Math.max(now.getTime(), Date.parse(found.expiresAt));
  const expiresAt = new Date(from + intent.hours * 3_600_000).toISOString();
  const environment = await registry.updateEnvironment(found.id, { expiresAt }, now);
  await registry.appendEvent({
    ...eventBase(found, intent, now),
    type: "expiry_extended",
    message: `${intent.cause.message}: expires ${expiresAt} (+${intent.hours} h)`,
  });
  return { outcome: "extended", environment };
}

/**
 * Deployed at this commit, or its deploy is the environment's last job (queued or running, not
 * being aborted). Jobs are listed in their environment's order (a FIFO per environment).
 */
async function isDeployingCommit(deps: SubmitIntentDeps, environment: Environment, commitSha: string) {
  const last = (await deps.queue.listPending(environment.id)).at(-1);
  if (last) return last.type === "deploy" && last.commitSha === commitSha && !last.cancelRequested;
  return environment.status === "ready" && environment.commitSha === commitSha;
}

/** Whether a deploy ever started since the environment was last destroyed (or created). */
async function mayHaveStack(registry: Registry, environment: Environment): Promise<boolean> {
  const events = await registry.listEvents(environment.id);
  for (let i = events.length - 1; i >= 0; i--) {
    const type = events[i]?.type;
    if (type === "deploy_started") return true;
    if (type === "destroy_succeeded") return false;
  }
  return false;
}

async function recordRequest(
  registry: Registry,
  environment: Environment,
  intent: DeployIntent | DestroyIntent,
  result: EnqueueResult,
  now: Date,
) {
  const base = { ...eventBase(environment, intent, now), jobId: result.job.id };
  const collapsed = result.collapsed ? ` (merged into queued job ${result.job.id})` : "";
  await registry.appendEvent({
    ...base,
    type: intent.type === "deploy" ? "deploy_requested" : "destroy_requested",
    message: `${intent.cause.message}${collapsed}`,
    commitSha: intent.type === "deploy" ? intent.commitSha : undefined,
  });
  for (const job of result.superseded) {
    await registry.appendEvent({
      ...base,
      type: "deploy_superseded",
      jobId: job.id,
      commitSha: job.commitSha,
      message: `queued deploy ${job.id} dropped: a destroy was requested`,
    });
  }
  if (result.abortRequested) {
    await registry.appendEvent({
      ...base,
      type: "deploy_aborted",
      jobId: result.abortRequested.id,
      message: `running deploy ${result.abortRequested.id} asked to stop: a destroy was requested`,
    });
  }
}

function eventBase(environment: Environment, intent: Intent, now: Date) {
  return {
    environmentId: environment.id,
    at: now.toISOString(),
    actor: intent.cause.actor,
    via: intent.cause.via,
    deliveryId: intent.cause.deliveryId,
  };
}

function describe(intent: Intent): string {
  const id = intent.identity;
  if (id.kind === "pull_request") return `${id.repository}#${id.pullRequest}`;
  if (id.kind === "sandbox") return `${id.repository} sandbox of ${id.owner}`;
  return `${id.repository} branch ${id.branch}`;
}
