import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { OperationHooks, Provisioner } from "../provisioner/provisioner.ts";
import type { Job } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import type { Notify } from "./create-notice-chain.ts";
import { describeAttempt } from "./describe-attempt.ts";
import { describeChanges } from "./describe-changes.ts";
import { recordJobEvent } from "./record-job-event.ts";
import { seedEnvironment } from "./seed-environment.ts";
import { whoAsked } from "./who-asked.ts";

export interface DeployEnvironmentDeps {
  registry: Registry;
  provisioner: Provisioner;
  now: () => Date;
  notify: Notify;
}

/** A deploy job: `deploying`, the engine, then `ready` (with its url, outputs and expiry), in history and on GitHub. */
export async function deployEnvironment(
  deps: DeployEnvironmentDeps,
  environment: Environment,
  repository: RepositoryConfig,
  job: Job,
  hooks: OperationHooks,
  started: number,
): Promise<void> {
  const { registry, notify } = deps;
  const attempt = describeAttempt(job);
  const deploying = await registry.updateEnvironment(environment.id, { status: "deploying" }, deps.now());
  await recordJobEvent(
    deps,
    environment,
    job,
    "deploy_started",
    `deploying ${job.commitSha ?? `head of ${environment.branch}`}${attempt}`,
  );
  notify({
    environment: deploying,
    phase: "deploying",
    commitSha: job.commitSha,
    jobId: job.id,
    by: whoAsked(job.reason),
  });
  const configOverrides = await registry.listConfigOverrides(environment.id);
  const result = await deps.provisioner.deploy({
    environment,
    repository,
    commitSha: job.commitSha,
    configOverrides,
    ...hooks,
  });
  const durationMs = deps.now().getTime() - started;
  // A destroy requested while the engine ran (and too late to abort it) wins: no `ready` in between.
  if ((await registry.getEnvironment(environment.id))?.status === "destroying") {
    await recordJobEvent(deps, environment, job, "deploy_superseded", "deploy finished, but a destroy is queued", {
      durationMs,
      commitSha: result.commitSha,
    });
    return;
  }
  await seedEnvironment(deps, environment, repository, job, hooks, result);
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
  await recordJobEvent(
    deps,
    environment,
    job,
    "deploy_succeeded",
    `ready at ${result.url ?? "(no url output)"} ${describeChanges(result.changes)}`,
    { durationMs, commitSha: result.commitSha },
  );
  notify({ environment: ready, phase: "ready", commitSha: result.commitSha, jobId: job.id, by: whoAsked(job.reason) });
}
