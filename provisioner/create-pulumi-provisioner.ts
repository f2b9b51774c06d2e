import { createRequire } from "node:module";
import path from "node:path";
import type { RepositoryConfig } from "../core/config.ts";
import type { Environment } from "../core/environment.ts";
import { slugify } from "../core/environment-name.ts";
import { type ErrorCode, errorCatalogue, StackforkError } from "../core/errors.ts";
import type { ReadSource } from "../source/create-source-reader.ts";
import { installStackDependencies } from "../source/install-stack-dependencies.ts";
import { createRunnerPool, type RunnerPool } from "./create-runner-pool.ts";
import type { PulumiEngineOptions } from "./open-stack.ts";
import type { DestroyRequest, OperationHooks, Provisioner } from "./provisioner.ts";
import type { StackOperationMessage, StackOperationRequest } from "./stack-operation.ts";

const require = createRequire(import.meta.url);
const runnerScript = path.join(import.meta.dirname, "run-stack-operation.ts");

export interface PulumiProvisionerOptions {
  engine: PulumiEngineOptions;
  /** The data dir: dependencies and the copies' own data live under it. */
  dataDir: string;
  /** The commit's tree on disk (local clone or GitHub). */
  readSource: ReadSource;
  /**
   * Runner processes kept started ahead of jobs (each ~180 MB idle): a job that finds one skips
   * about a second of start-up. @default 0
   */
  warmRunners?: number;
  /** Tests: to hand out a runner that fails in a given way. */
  wrapRunners?: (pool: RunnerPool) => RunnerPool;
}

/**
 * The Automation API provisioner: each environment is one stack of its repository's stack project,
 * run from a checkout of the commit by a runner process (run-stack-operation.ts).
 */
export function createPulumiProvisioner({
  engine,
  dataDir,
  readSource,
  warmRunners = 0,
  wrapRunners = (pool) => pool,
}: PulumiProvisionerOptions): Provisioner & { runnerStats: RunnerPool["stats"] } {
  const runners = wrapRunners(
    createRunnerPool({ script: runnerScript, loader: require.resolve("tsx"), warm: warmRunners }),
  );
  const platformNodeModules = path.resolve(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "../..");

  return {
    async deploy(request) {
      const { environment, repository } = request;
      const checkout = await readSource({ repository, environment, commitSha: request.commitSha });
      const stackDir = path.join(checkout.dir, repository.stackPath);
      await installStackDependencies({
        stackDir,
        checkoutDir: checkout.dir,
        depsDir: path.join(dataDir, "deps"),
        platformNodeModules,
      });
      const result = await runStackOperation(
        {
          operation: "up",
          engine,
          projectName: projectNameOf(repository),
          stackName: environment.name,
          stackDir,
          cwd: stackDir,
          config: buildStackConfig(environment, repository, checkout.commitSha, dataDir),
        },
        request,
        runners,
      );
      const url = typeof result.outputs.url === "string" ? result.outputs.url : undefined;
      return { commitSha: checkout.commitSha, url, outputs: result.outputs, changes: result.changes };
    },

    async destroy(request: DestroyRequest) {
      const result = await runStackOperation(
        {
          operation: "destroy",
          engine,
          projectName: projectNameOf(request.repository),
          stackName: request.environment.name,
          cwd: dataDir,
          config: {},
        },
        request,
        runners,
      );
      return { changes: result.changes };
    },

    close: () => runners.close(),
    runnerStats: () => runners.stats(),
  };
}

/** One Pulumi project per repository, named by the platform, so a branch renaming its project cannot orphan state. */
export function projectNameOf(repository: Pick<RepositoryConfig, "name">): string {
  return slugify(repository.name);
}

/** The environment's overrides, under the `stackfork` namespace the stack program reads. */
export function buildStackConfig(
  environment: Environment,
  repository: RepositoryConfig,
  commitSha: string,
  dataDir: string,
) {
  const config: Record<string, string> = {
    "stackfork:environment": environment.name,
    "stackfork:repository": environment.repository,
    "stackfork:branch": environment.branch,
    "stackfork:commit": commitSha,
    "stackfork:target": repository.target,
    "stackfork:dataDir": path.join(dataDir, "copies", environment.name),
  };
  if (environment.owner) config["stackfork:owner"] = environment.owner;
  if (environment.expiresAt) config["stackfork:expiresAt"] = environment.expiresAt;
  return config;
}

function runStackOperation(request: StackOperationRequest, hooks: OperationHooks, runners: RunnerPool) {
  return new Promise<{ outputs: Record<string, unknown>; changes: Record<string, number> }>((resolve, reject) => {
    if (hooks.signal.aborted) {
      reject(
        new StackforkError(
          "DEPLOY_CANCELLED",
          `${request.operation} of ${request.stackName} cancelled before it started`,
        ),
      );
      return;
    }
    const run = (attempt: number) => {
      const child = runners.take();
      let started = false;
      let settled: StackOperationMessage | undefined;
      const stderrTail: string[] = [];
      const onAbort = () => child.kill("SIGINT");
      hooks.signal.addEventListener("abort", onAbort, { once: true });

      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        for (const line of chunk.split("\n")) if (line.trim()) hooks.onOutput(line);
      });
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        for (const line of chunk.split("\n")) {
          if (!line.trim()) continue;
          hooks.onOutput(line);
          stderrTail.push(line);
          if (stderrTail.length > 20) stderrTail.shift();
        }
      });
      child.on("message", (message: StackOperationMessage) => {
        if (message.type === "started") started = true;
        else if (message.type === "output") hooks.onOutput(message.line);
        else if (message.type === "recovered") hooks.onRecovery(message.message);
        else settled = message;
      });
      // `error` and `exit` may both come (node's docs): the first one ends this runner's part.
      let over = false;
      const end = (outcome: () => void) => {
        if (over) return;
        over = true;
        hooks.signal.removeEventListener("abort", onAbort);
        // Gone before it took the job (an idle runner that died): nothing ran, so a fresh one may.
        if (!started && attempt === 0 && !hooks.signal.aborted) run(1);
        else outcome();
      };
      child.on("error", (err) =>
        end(() =>
          reject(new StackforkError("DEPLOY_FAILED", `runner could not start: ${err.message}`, { cause: err })),
        ),
      );
      child.on("exit", (code, signal) =>
        end(() => {
          if (settled?.type === "done") resolve({ outputs: settled.outputs, changes: settled.changes });
          else if (settled?.type === "failed") reject(new StackforkError(toErrorCode(settled.code), settled.message));
          else {
            const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
            reject(
              new StackforkError("DEPLOY_FAILED", `the ${request.operation} runner ${how}:\n${stderrTail.join("\n")}`),
            );
          }
        }),
      );
      // A runner that died unnoticed fails the send: make sure its exit is seen.
      child.send(request, (err) => {
        if (err) child.kill("SIGKILL");
      });
    };
    run(0);
  });
}

function toErrorCode(code: string): ErrorCode {
  return code in errorCatalogue ? (code as ErrorCode) : "DEPLOY_FAILED";
}
