import { readFileSync } from "node:fs";
import path from "node:path";
import { seedVariablesOf } from "../../core/decide-seed.ts";
import type { Environment } from "../../core/environment.ts";
import { StackforkError } from "../../core/errors.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";
import type { ReadSource } from "../../source/create-source-reader.ts";
import { readBranchFile } from "../copy-config/read-branch-file.ts";
import { grantReadablePaths, grantWritablePaths } from "../sandbox/grant-writable-paths.ts";
import { runStreamedIsolated } from "../sandbox/run-streamed-isolated.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import { loadSeedItems } from "./load-seed-items.ts";
import { parseSeedItems } from "./parse-seed-items.ts";
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
 * and the job's own variables, never the platform's; or its items go into the table a stack output
 * names (data, not code: loaded on the platform's side with the job's credentials). Fails with
 * SEED_FAILED; the copy stays as it is.
 */
export function createSeedStep(deps: SeedStepDeps) {
  return async function runSeed(request: SeedRequest): Promise<void> {
    const { environment, repository, outputs } = request;
    const seed = repository.seed;
    if (!seed) return;
    const checkout = await deps.readSource({ repository, environment, commitSha: request.commitSha });
    const job = await deps.prepareJob(environment, repository);
    const onOutput = (line: string) => request.onOutput(job.redact(line));
    if ("items" in seed) {
      await seedItems(
        deps.dataDir,
        environment.name,
        // A CloudFormation copy's table is in CloudFormation's account (or emulator), whatever the target.
        repository.cloudformation ? "aws" : repository.target,
        checkout.dir,
        seed,
        outputs,
        job.env,
        onOutput,
      );
      return;
    }
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

/** The largest items file a seed may name: a seed, not a migration. */
const MAX_ITEMS_BYTES = 64 * 1024 * 1024;

async function seedItems(
  dataDir: string,
  environmentName: string,
  target: "local" | "aws",
  checkoutDir: string,
  seed: { items: string; tableOutput: string },
  outputs: Record<string, unknown>,
  env: Record<string, string>,
  onOutput: (line: string) => void,
): Promise<void> {
  const tableName = outputs[seed.tableOutput];
  if (typeof tableName !== "string" || !tableName)
    throw new StackforkError("SEED_FAILED", `the stack has no output ${seed.tableOutput} naming a table`);
  const text = readBranchFile(checkoutDir, seed.items, MAX_ITEMS_BYTES);
  if (text === undefined) throw new StackforkError("SEED_FAILED", `${seed.items} is not in the branch`);
  const items = parseSeedItems(text, seed.items);
  // A local copy's table is dynalite inside the copy's process; the copy writes where it listens.
  const endpoint =
    target === "local"
      ? readFileSync(path.join(dataDir, "copies", environmentName, "dynamodb-endpoint"), "utf8").trim()
      : undefined;
  onOutput(`seed: ${items.length} items from ${seed.items} into ${tableName}`);
  await loadSeedItems({ items, tableName, endpoint, env, onOutput });
}
