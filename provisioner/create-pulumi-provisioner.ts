import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ArtifactLocation } from "../cloudformation/artifact-store.ts";
import type { Environment } from "../core/environment.ts";
import { projectNameOf } from "../core/project-name-of.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { ReadSource } from "../source/create-source-reader.ts";
import { installStackDependencies } from "../source/install-stack-dependencies.ts";
import { buildStackConfig } from "./build-stack-config.ts";
import { configureCopy } from "./copy-config/configure-copy.ts";
import { createRunnerPool, type RunnerPool } from "./create-runner-pool.ts";
import { createCloudFormationDeploy } from "./deploy-cloudformation-copy.ts";
import { endMarkedProcesses } from "./end-marked-processes.ts";
import type { DestroyRequest, Provisioner } from "./provisioner.ts";
import type { PulumiEngineOptions } from "./pulumi-engine-options.ts";
import { createSecretRedactor } from "./redact-secrets.ts";
import { runOnRunner } from "./run-on-runner.ts";
import { systemPaths } from "./sandbox/create-sandbox.ts";
import { noSandbox } from "./sandbox/detect-sandbox.ts";
import { grantReadablePaths, grantWritablePaths } from "./sandbox/grant-writable-paths.ts";
import { runIsolated } from "./sandbox/run-isolated.ts";
import type { Sandbox } from "./sandbox/sandbox.ts";
import { secretsProviderOf } from "./secrets-provider-of.ts";
import { createSeedStep } from "./seed/create-seed-step.ts";
import { adoptSharedBackendStack, stackPassphraseOf, stackPathsOf } from "./stack-paths.ts";

const require = createRequire(import.meta.url);
const runnerScript = path.join(import.meta.dirname, "run-stack-operation.ts");
/** The platform's own code (the runner, its loader, the SDK): shown read-only to every job. */
const appDir = path.resolve(import.meta.dirname, "..");

export interface PulumiProvisionerOptions {
  engine: PulumiEngineOptions;
  /** The data dir: dependencies and the copies' own data live under it. */
  dataDir: string;
  /** The commit's tree on disk (local clone or GitHub). */
  readSource: ReadSource;
  /**
   * Runner processes kept started ahead of jobs (each ~180 MB idle): a job that finds one skips
   * about a second of start-up. Only without a sandbox (a sandboxed runner is started in its job's
   * view). @default 0
   */
  warmRunners?: number;
  /** Tests: to hand out a runner that fails in a given way. */
  wrapRunners?: (pool: RunnerPool) => RunnerPool;
  /** Where branch code runs (sandbox/detect-sandbox.ts). @default none: the allow-listed environment only */
  sandbox?: Sandbox;
  /**
   * What branch code sees of the server's environment (core/pick-runner-environment.ts); PATH,
   * HOME, the engine's settings and the job's credentials are added per job. @default {}
   */
  runnerEnv?: Record<string, string>;
  /**
   * The job's own AWS credentials, as variables (`AWS_ACCESS_KEY_ID`...), or none when the job needs
   * no AWS; throws DEPLOYER_ROLE_REQUIRED rather than hand out the platform's. @default none needed
   */
  credentialsFor?: (job: { environment: Environment; repository: RepositoryConfig }) => Promise<Record<string, string>>;
  /**
   * The permissions boundary every role of an `aws` copy must carry (its stack config
   * `stackfork:permissionsBoundary`); the deployer role refuses a role without it. @default none
   */
  permissionsBoundary?: () => Promise<string | undefined>;
  /** The platform's secrets: never kept in the engine log. */
  secrets?: readonly (string | undefined)[];
  /**
   * Where a CloudFormation copy's packaged code and templates go (the environment's own prefix of
   * the artifacts bucket: cloudformation/resolve-artifact-location.ts). Needed only by repositories
   * with a `cloudformation` block. @default none: such a deploy fails
   */
  cloudFormationArtifacts?: (job: {
    environment: Environment;
    repository: RepositoryConfig;
  }) => Promise<ArtifactLocation>;
  /** Time an aborted engine gets to stop before its processes are ended; shorter than the worker's takeover grace (takeoverGraceSeconds), so a new holder never meets it. @default 20000 */
  killAfterMs?: number;
}

/**
 * The Automation API provisioner: each environment is one stack of its repository's stack project,
 * run from a checkout of the commit by a runner process (run-stack-operation.ts), in the sandbox
 * with the job's own view, environment and credentials (README, "Security model").
 */
export function createPulumiProvisioner({
  engine,
  dataDir,
  readSource,
  warmRunners = 0,
  wrapRunners = (pool) => pool,
  sandbox = noSandbox("none given"),
  runnerEnv = {},
  credentialsFor = async () => ({}),
  secrets = [],
  permissionsBoundary = async () => undefined,
  killAfterMs = 20_000,
  cloudFormationArtifacts,
}: PulumiProvisionerOptions): Provisioner & { runnerStats: RunnerPool["stats"] } {
  const serverId = createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 12);
  // What a previous server on this data dir left running when it died (engines, plugins, npm).
  endMarkedProcesses(`${serverId}/`);
  const sandboxed = sandbox.kind !== "none";
  // USER: the CLI (built without cgo) asks for one when it creates a stack; the server's says nothing a job needs.
  const baseEnv = { ...runnerEnv, PATH: engine.searchPath, HOME: sandboxed ? "/tmp" : tmpdir(), USER: "stackfork" };
  const runners = wrapRunners(
    createRunnerPool({
      script: runnerScript,
      loader: require.resolve("tsx"),
      warm: warmRunners,
      env: baseEnv,
      serverId,
      sandbox,
    }),
  );
  const platformNodeModules = path.resolve(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "../..");
  const npmCache = path.join(dataDir, "npm-cache");
  const system = sandboxed ? [...systemPaths(), appDir, path.dirname(engine.cli.command)] : [];
  // The data dir may sit inside the app's folder (`./.stackfork`): hidden, then what the job may see is shown again.
  const hidden = sandboxed && isInside(dataDir, appDir) ? [dataDir] : [];

  async function boundaryConfig(): Promise<Record<string, string>> {
    const arn = await permissionsBoundary();
    return arn ? { "stackfork:permissionsBoundary": arn } : {};
  }

  /** The job's stack: its settings, state and copy data, its passphrase, its credentials, its log filter. */
  async function prepareJob(environment: Environment, repository: RepositoryConfig) {
    const projectName = projectNameOf(repository);
    const paths = stackPathsOf(engine, projectName, environment.name);
    const legacyMarker = path.join(engine.stateDir, "shared-passphrase", projectName, environment.name);
    if (
      paths.backendDir &&
      adoptSharedBackendStack(path.dirname(path.dirname(paths.backendDir)), projectName, environment.name)
    ) {
      mkdirSync(path.dirname(legacyMarker), { recursive: true });
      writeFileSync(legacyMarker, "moved from the shared backend: its secrets are under the platform's passphrase\n");
    }
    // A stack an earlier version created keeps the passphrase it was encrypted with, until destroyed.
    const passphrase = existsSync(legacyMarker)
      ? engine.passphrase
      : stackPassphraseOf(engine.passphrase, projectName, environment.name);
    const copyDir = path.join(dataDir, "copies", environment.name);
    const writable = [paths.workDir, ...(paths.backendDir ? [paths.backendDir] : []), copyDir];
    grantWritablePaths(sandbox, writable);
    const credentials = await credentialsFor({ environment, repository });
    const jobEngine: PulumiEngineOptions = {
      ...engine,
      passphrase,
      secretsProvider: secretsProviderOf(engine.secretsProvider, environment.name),
      ...(sandboxed && { pulumiHome: "/tmp/pulumi-home" }),
    };
    const redact = createSecretRedactor([
      ...secrets,
      engine.passphrase,
      passphrase,
      credentials.AWS_SECRET_ACCESS_KEY,
      credentials.AWS_SESSION_TOKEN,
    ]);
    return { projectName, paths, legacyMarker, writable, env: { ...credentials }, engine: jobEngine, redact };
  }

  const deployCloudFormation = createCloudFormationDeploy({
    artifacts: cloudFormationArtifacts,
    prepareJob,
    sandbox,
    serverId,
    dataDir,
    npmCache,
    view: { readOnly: system, hidden },
    baseEnv,
    runners,
    killAfterMs,
  });

  return {
    async deploy(request) {
      const { environment, repository } = request;
      const checkout = await readSource({ repository, environment, commitSha: request.commitSha });
      if (repository.cloudformation) return deployCloudFormation(request, checkout);
      const stackDir = path.join(checkout.dir, repository.stackPath);
      const job = await prepareJob(environment, repository);
      // The template's secrets are read here, on the platform's side, and reach the job only as its stack's config.
      const copy = await configureCopy({
        repository,
        environment,
        projectName: job.projectName,
        checkoutDir: checkout.dir,
        environmentOverrides: request.configOverrides ?? [],
        engineFor: (stack) => ({ ...engine, secretsProvider: secretsProviderOf(engine.secretsProvider, stack) }),
      });
      for (const note of copy.notes) request.onOutput(note);
      grantWritablePaths(sandbox, [npmCache]);
      const installed = await installStackDependencies({
        stackDir,
        checkoutDir: checkout.dir,
        depsDir: path.join(dataDir, "deps"),
        platformNodeModules,
        installScripts: repository.installScripts === true,
        runNpm: (args, { cwd, writable }) => {
          grantWritablePaths(sandbox, writable);
          return runIsolated({
            sandbox,
            argv: ["npm", ...args, "--prefix", cwd],
            view: { readOnly: system, hidden, writable: [...writable, npmCache] },
            env: { ...baseEnv, ...job.env, npm_config_cache: npmCache },
            cwd,
            serverId,
          });
        },
      });
      const dependencies = installed.from === "lockfile" ? [path.dirname(installed.nodeModules)] : [];
      grantReadablePaths(sandbox, [checkout.dir, ...dependencies]);
      const result = await runOnRunner(
        {
          operation: "up",
          engine: job.engine,
          projectName: job.projectName,
          stackName: environment.name,
          stackDir,
          cwd: stackDir,
          config: {
            ...buildStackConfig(environment, repository, checkout.commitSha, dataDir),
            ...(repository.target === "aws" && (await boundaryConfig())),
          },
          copyConfig: copy.values,
          env: job.env,
        },
        { ...request, onOutput: (line) => request.onOutput(copy.redact(job.redact(line))) },
        { view: { readOnly: [...system, checkout.dir, ...dependencies], hidden, writable: job.writable }, killAfterMs },
        runners,
      );
      const url = typeof result.outputs.url === "string" ? result.outputs.url : undefined;
      return {
        commitSha: checkout.commitSha,
        url,
        outputs: result.outputs,
        changes: result.changes,
        config: copy.entries,
      };
    },

    async destroy(request: DestroyRequest) {
      const { environment, repository } = request;
      const job = await prepareJob(environment, repository);
      // A local copy's provider is code of the tree it was deployed from: the destroy runs it.
      const tree = environment.commitSha
        ? await readSource({ repository, environment, commitSha: environment.commitSha }).then(
            (checkout) => [checkout.dir],
            () => [],
          )
        : [];
      grantReadablePaths(sandbox, tree);
      const result = await runOnRunner(
        {
          operation: "destroy",
          engine: job.engine,
          projectName: job.projectName,
          stackName: environment.name,
          cwd: job.paths.workDir,
          config: {},
          env: job.env,
        },
        { ...request, onOutput: (line) => request.onOutput(job.redact(line)) },
        { view: { readOnly: [...system, ...tree], hidden, writable: job.writable }, killAfterMs },
        runners,
      );
      // The stack's settings (salt) go with it: a new environment of the same name starts clean.
      rmSync(job.paths.workDir, { recursive: true, force: true });
      rmSync(job.legacyMarker, { force: true });
      return { changes: result.changes };
    },

    seed: createSeedStep({
      readSource,
      sandbox,
      serverId,
      dataDir,
      view: { readOnly: system, hidden },
      baseEnv,
      prepareJob,
    }),

    close: () => runners.close(),
    runnerStats: () => runners.stats(),
  };
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
