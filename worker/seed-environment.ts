import { isSeedDue } from "../core/decide-seed.ts";
import type { Environment } from "../core/environment.ts";
import { isStackforkError, StackforkError } from "../core/errors.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { DeployResult, OperationHooks, Provisioner } from "../provisioner/provisioner.ts";
import type { Job } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import { recordJobEvent } from "./record-job-event.ts";

export interface SeedEnvironmentDeps {
  registry: Registry;
  provisioner: Provisioner;
  now: () => Date;
}

/**
 * After a successful engine run: keeps the copy's effective config, then runs the repository's seed
 * step when it is due (core/decide-seed.ts). The copy's url and outputs are kept first, so a seed
 * that fails leaves a copy people can open; the failure is thrown as SEED_FAILED for the job's usual
 * settling (environment `failed`, the log's tail on GitHub), and nothing is destroyed.
 */
export async function seedEnvironment(
  deps: SeedEnvironmentDeps,
  environment: Environment,
  repository: RepositoryConfig,
  job: Job,
  hooks: OperationHooks,
  result: DeployResult,
): Promise<void> {
  const { registry } = deps;
  if (result.config) await registry.saveEffectiveConfig(environment.id, result.config, deps.now());
  if (!repository.seed || !deps.provisioner.seed) return;
  if (!isSeedDue(await registry.listEvents(environment.id))) return;
  await registry.updateEnvironment(
    environment.id,
    { url: result.url ?? null, commitSha: result.commitSha, outputs: result.outputs },
    deps.now(),
  );
  const started = deps.now().getTime();
  await recordJobEvent(deps, environment, job, "seed_started", "seeding the copy", { commitSha: result.commitSha });
  try {
    await deps.provisioner.seed({
      environment,
      repository,
      commitSha: result.commitSha,
      outputs: result.outputs,
      signal: hooks.signal,
      onOutput: hooks.onOutput,
    });
  } catch (err) {
    if (isStackforkError(err, "DEPLOY_CANCELLED")) throw err;
    const error = isStackforkError(err, "SEED_FAILED")
      ? err
      : new StackforkError("SEED_FAILED", `the seed failed: ${String(err)}`, { cause: err });
    await recordJobEvent(deps, environment, job, "seed_failed", error.message, {
      durationMs: deps.now().getTime() - started,
      errorCode: "SEED_FAILED",
      commitSha: result.commitSha,
    });
    throw error;
  }
  await recordJobEvent(deps, environment, job, "seed_succeeded", "the copy is seeded", {
    durationMs: deps.now().getTime() - started,
    commitSha: result.commitSha,
  });
}
