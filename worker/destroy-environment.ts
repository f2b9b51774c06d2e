import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { OperationHooks, Provisioner } from "../provisioner/provisioner.ts";
import type { Job } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import type { Notify } from "./create-notice-chain.ts";
import { describeAttempt } from "./describe-attempt.ts";
import { describeChanges } from "./describe-changes.ts";
import { recordJobEvent } from "./record-job-event.ts";
import { whoAsked } from "./who-asked.ts";

export interface DestroyEnvironmentDeps {
  registry: Registry;
  provisioner: Provisioner;
  now: () => Date;
  notify: Notify;
}

/** A destroy job: `destroying`, the engine, then `destroyed`, in history and on GitHub. */
export async function destroyEnvironment(
  deps: DestroyEnvironmentDeps,
  environment: Environment,
  repository: RepositoryConfig,
  job: Job,
  hooks: OperationHooks,
  started: number,
): Promise<void> {
  const { registry } = deps;
  await registry.updateEnvironment(environment.id, { status: "destroying" }, deps.now());
  await recordJobEvent(deps, environment, job, "destroy_started", `destroying${describeAttempt(job)}`);
  const result = await deps.provisioner.destroy({ environment, repository, ...hooks });
  const destroyed = await registry.updateEnvironment(
    environment.id,
    { status: "destroyed", url: null, lastError: null, outputs: null },
    deps.now(),
  );
  await recordJobEvent(deps, environment, job, "destroy_succeeded", `destroyed ${describeChanges(result.changes)}`, {
    durationMs: deps.now().getTime() - started,
  });
  deps.notify({
    environment: destroyed,
    phase: "destroyed",
    jobId: job.id,
    reason: job.reason.message,
    by: whoAsked(job.reason),
  });
}
