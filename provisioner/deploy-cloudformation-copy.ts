import path from "node:path";
import type { ArtifactLocation } from "../cloudformation/artifact-store.ts";
import { runBuildStep } from "../cloudformation/run-build-step.ts";
import type { CloudFormationConfig } from "../core/cloudformation-config.ts";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { resolveConfigOverrides } from "../core/resolve-copy-config.ts";
import { buildStackConfig } from "./build-stack-config.ts";
import { readRepositoryConfigFile } from "./copy-config/read-repository-config-file.ts";
import type { RunnerPool } from "./create-runner-pool.ts";
import type { DeployRequest } from "./provisioner.ts";
import type { PulumiEngineOptions } from "./pulumi-engine-options.ts";
import { createSecretRedactor } from "./redact-secrets.ts";
import { runOnRunner } from "./run-on-runner.ts";
import { grantReadablePaths, grantWritablePaths } from "./sandbox/grant-writable-paths.ts";
import { runStreamedIsolated } from "./sandbox/run-streamed-isolated.ts";
import type { Sandbox } from "./sandbox/sandbox.ts";

/** What a CloudFormation deploy takes of the provisioner (create-pulumi-provisioner.ts). */
export interface CloudFormationDeployDeps {
  artifacts?: (target: { environment: Environment; repository: RepositoryConfig }) => Promise<ArtifactLocation>;
  prepareJob: (
    environment: Environment,
    repository: RepositoryConfig,
  ) => Promise<{
    projectName: string;
    paths: { workDir: string };
    writable: string[];
    env: Record<string, string>;
    engine: PulumiEngineOptions;
    redact: (line: string) => string;
  }>;
  sandbox: Sandbox;
  serverId: string;
  dataDir: string;
  npmCache: string;
  /** What every job sees read-only (the system, the platform's code) and what it never sees. */
  view: { readOnly: string[]; hidden: string[] };
  baseEnv: Record<string, string>;
  runners: RunnerPool;
  killAfterMs: number;
}

/**
 * A CloudFormation copy (cloudformation/): the build (if any) in the job's sandbox, then the
 * platform's inline program in the job's runner, which packages and deploys the branch's template.
 */
export function createCloudFormationDeploy(deps: CloudFormationDeployDeps) {
  return async function deployCloudFormation(request: DeployRequest, checkout: { dir: string; commitSha: string }) {
    const { environment, repository } = request;
    const cloudformation = repository.cloudformation as CloudFormationConfig;
    if (!deps.artifacts)
      throw new StackforkError("DEPLOY_FAILED", `${repository.name}: no artifacts location for CloudFormation copies`);
    const job = await deps.prepareJob(environment, repository);
    const onOutput = (line: string) => request.onOutput(job.redact(line));
    const buildDir = path.join(job.paths.workDir, "build");
    const root = cloudformation.build
      ? await runBuildStep({
          command: cloudformation.build.command,
          checkoutDir: checkout.dir,
          buildDir,
          template: cloudformation.build.template,
          onOutput,
          run: (command, cwd, writable, onLine) => {
            grantWritablePaths(deps.sandbox, [...writable, deps.npmCache]);
            grantReadablePaths(deps.sandbox, [checkout.dir]);
            return runStreamedIsolated({
              sandbox: deps.sandbox,
              argv: command,
              view: {
                readOnly: [...deps.view.readOnly, checkout.dir],
                hidden: deps.view.hidden,
                writable: [...job.writable, deps.npmCache],
              },
              env: { ...deps.baseEnv, ...job.env, npm_config_cache: deps.npmCache },
              cwd,
              serverId: deps.serverId,
              onLine,
              signal: request.signal,
            });
          },
        })
      : checkout.dir;
    grantReadablePaths(deps.sandbox, [checkout.dir]);
    const { parameters, ...program } = cloudformation;
    // Everything above production's parameters is resolved here, in the usual order; the job reads
    // production itself (its credentials, in its sandbox) and puts it underneath.
    const overrides = resolveConfigOverrides({
      projectName: undefined,
      kind: environment.kind,
      branch: environment.branch,
      platform: [...(parameters ? [{ config: parameters }] : []), ...(repository.overrides ?? [])],
      repository: readRepositoryConfigFile(checkout.dir),
      environment: request.configOverrides ?? [],
    });
    const redact = createSecretRedactor(
      Object.values(overrides).flatMap(({ value, secret }) => (secret ? [value] : [])),
    );
    const result = await runOnRunner(
      {
        operation: "up",
        engine: job.engine,
        projectName: job.projectName,
        stackName: environment.name,
        cwd: root,
        config: buildStackConfig(environment, repository, checkout.commitSha, deps.dataDir),
        cloudformation: {
          config: program,
          parameters: { overrides, neverCopy: [...(repository.neverCopy ?? [])] },
          root,
          environment: environment.name,
          repository: repository.name,
          artifacts: await deps.artifacts({ environment, repository }),
        },
        env: job.env,
      },
      { ...request, onOutput: (line) => onOutput(redact(line)) },
      {
        view: { readOnly: [...deps.view.readOnly, checkout.dir], hidden: deps.view.hidden, writable: job.writable },
        killAfterMs: deps.killAfterMs,
      },
      deps.runners,
    );
    const { stackOutputs, ...outputs } = result.outputs;
    const url = typeof outputs.url === "string" ? outputs.url : undefined;
    return {
      commitSha: checkout.commitSha,
      url,
      // The stack's own outputs beside the platform's (which win a clash): what the seed step sees.
      outputs: { ...(isRecord(stackOutputs) ? stackOutputs : {}), ...outputs },
      changes: result.changes,
      config: result.config ?? [],
    };
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
