import type { Environment } from "../core/environment.ts";
import type { Intent } from "../core/intent.ts";
import type { EnqueueResult, JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";

export interface SubmitIntentDeps {
  registry: Registry;
  queue: JobQueue;
  nameMaxLength: number;
  /** Tells an in-process worker that a job is waiting, so it does not wait for its next poll. */
  wakeWorker?: () => void;
}

export type SubmitResult =
  | { outcome: "queued"; environment: Environment; jobId: string; collapsed: boolean }
  | { outcome: "ignored"; reason: string; environment?: Environment };

/**
 * Turns an intent into a durable job and records why in the environment's history. Called from the
 * webhook, the API and the CLI alike: the one way work enters the queue.
 */
export async function submitIntent(deps: SubmitIntentDeps, intent: Intent, now: Date): Promise<SubmitResult> {
  const { registry, queue } = deps;
  const cause = intent.cause;
  let environment: Environment;
  if (intent.type === "destroy") {
    const found = await registry.findEnvironment(intent.identity);
    if (!found) return { outcome: "ignored", reason: `no environment for ${describeIdentity(intent)}` };
    if (found.status === "destroyed")
      return { outcome: "ignored", reason: `${found.name} is already destroyed`, environment: found };
    environment = found;
  } else {
    environment = await registry.ensureEnvironment(intent.identity, {
      status: "queued",
      now,
      nameMaxLength: deps.nameMaxLength,
    });
  }

  const result = await queue.enqueue(
    {
      environmentId: environment.id,
      type: intent.type,
      commitSha: intent.type === "deploy" ? intent.commitSha : undefined,
      reason: cause,
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

async function recordRequest(
  registry: Registry,
  environment: Environment,
  intent: Intent,
  result: EnqueueResult,
  now: Date,
) {
  const at = now.toISOString();
  const base = {
    environmentId: environment.id,
    at,
    actor: intent.cause.actor,
    deliveryId: intent.cause.deliveryId,
    jobId: result.job.id,
  };
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

function describeIdentity(intent: Intent): string {
  const id = intent.identity;
  if (id.kind === "pull_request") return `${id.repository}#${id.pullRequest}`;
  if (id.kind === "sandbox") return `${id.repository} sandbox of ${id.owner}`;
  return `${id.repository} branch ${id.branch}`;
}
