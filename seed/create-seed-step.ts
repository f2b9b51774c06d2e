import path from "node:path";
import { seedVariablesOf } from "../core/decide-seed.ts";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { grantReadablePaths, grantWritablePaths } from "../provisioner/sandbox/grant-writable-paths.ts";
import type { Sandbox } from "../provisioner/sandbox/sandbox.ts";
import type { ReadSource } from "../source/create-source-reader.ts";
import { runStreamedIsolated } from "./run-streamed-isolated.ts";
import type { SeedRequest } from "./seed-request.ts";

export interface SeedStepDeps {
  readSource: ReadSource;
  sandbox: Sandbox;
  serverId: string;
  dataDir: string;
  /** What every job sees read-only (the system, the platform's code) and never (the data dir). */
  view: { readOnly: string[]; hidden: string[] };
  /** The allow-listed environment every job starts from (PATH, HOME...). */
  baseEnv: Record<string, string>;
  /** The job's own variables (its AWS credentials) and log filter, as for its engine run. */
  prepareJob: (
    environment: Environment,
    repository: RepositoryConfig,
  ) => Promise<{ env: Record<string, string>; redact: (line: string) => string }>;
}

/**
 * The repository's seed step for one copy (issue 19): its command runs in the branch's checkout in
 * the job's sandbox, with the copy's outputs as `STACKFORK_OUTPUT_<KEY>`, `STACKFORK_ENVIRONMENT`
 * and the job's own variables, never the platform's. Fails with SEED_FAILED; the copy stays as it is.
 */
export function createSeedStep(deps: SeedStepDeps) {
  return async function runSeed(request: SeedRequest): Promise<void> {
    const { environment, repository, outputs } = request;
    const seed = repository.seed;
    if (!seed) return;
    const checkout = await deps.readSource({ repository, environment, commitSha: request.commitSha });
    const job = await deps.prepareJob(environment, repository);
    const onOutput = (line: string) => request.onOutput(job.redact(line));
    // The config loader refuses an items seed for now (core/copy-config-schema.ts): only commands get here.
    if (!("command" in seed)) throw new StackforkError("SEED_FAILED", "only a seed command is supported");
    const copyDir = path.join(deps.dataDir, "copies", environment.name);
    grantReadablePaths(deps.sandbox, [checkout.dir]);
    grantWritablePaths(deps.sandbox, [copyDir]);
    onOutput(`seed: ${seed.command.join(" ")}`);
    const code = await runStreamedIsolated({
      sandbox: deps.sandbox,
      argv: seed.command,
      view: { readOnly: [...deps.view.readOnly, checkout.dir], hidden: deps.view.hidden, writable: [copyDir] },
      env: { ...deps.baseEnv, ...job.env, ...seedVariablesOf(outputs, environment.name) },
      cwd: checkout.dir,
      serverId: deps.serverId,
      onLine: onOutput,
      signal: request.signal,
    }).catch((err: unknown) => {
      throw new StackforkError("SEED_FAILED", `the seed command could not start: ${(err as Error).message}`, {
        cause: err,
      });
    });
    if (request.signal.aborted)
      throw new StackforkError("DEPLOY_CANCELLED", `the seed of ${environment.name} was stopped`);
    if (code !== 0)
      throw new StackforkError("SEED_FAILED", `the seed command ${seed.command[0]} exited with code ${code}`);
  };
}
