// A runner process: one Pulumi operation on one stack, started by the provisioner for every job.
// The branch's own program is imported here, not in the server: its code cannot crash the platform,
// and every run gets a fresh module graph. Talks to its parent over IPC (see stack-operation.ts).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ConfigMap, PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { parse as parseYaml } from "yaml";
import { tailEventLog } from "../cloudformation/tail-event-log.ts";
import { MASKED_SECRET } from "../core/environment.ts";
import { isStackforkError, StackforkError } from "../core/errors.ts";
import { replaceStackConfig } from "./copy-config/replace-stack-config.ts";
import { mapPulumiError } from "./map-pulumi-error.ts";
import { openStack } from "./open-stack.ts";
import type { StackOperationMessage, StackOperationRequest } from "./stack-operation.ts";
import { withLockRecovery } from "./with-lock-recovery.ts";

const controller = new AbortController();
// SIGINT from the provisioner (a destroy superseded this deploy) or the parent gone (server killed):
// stop the engine cleanly rather than leave an update running that nobody waits for.
process.on("SIGINT", () => controller.abort());
process.on("disconnect", () => {
  controller.abort();
  setTimeout(() => process.exit(1), 60_000).unref();
});

// Started ahead of its job (create-runner-pool.ts): everything above is loaded; the job comes now.
process.once("message", (request: StackOperationRequest) => {
  send({ type: "started" });
  Object.assign(process.env, request.env);
  // Programs read files relative to their project, as under `pulumi up`.
  process.chdir(request.cwd);
  runOperation(request).then(
    (done) => finish(done),
    (err: unknown) => {
      const mapped = controller.signal.aborted
        ? new StackforkError("DEPLOY_CANCELLED", `${request.operation} of ${request.stackName} was stopped`, {
            cause: err,
          })
        : isStackforkError(err)
          ? err
          : mapPulumiError(err, request.operation);
      finish({ type: "failed", code: mapped.code, message: mapped.message });
    },
  );
});

async function runOperation(request: StackOperationRequest): Promise<StackOperationMessage> {
  // A CloudFormation copy's provider writes its stack events to a file this runner tails into the log.
  const events = tailEventLog(process.env, (line) => send({ type: "output", line }));
  try {
    return await runProgram(request);
  } finally {
    events.stop();
  }
}

async function runProgram(request: StackOperationRequest): Promise<StackOperationMessage> {
  const { program, config } =
    request.operation !== "up"
      ? { program: async () => {}, config: undefined }
      : request.cloudformation
        ? // Loaded only here: a Pulumi job's runner does not pay for the CloudFormation and S3 clients.
          await (await import("../cloudformation/create-cloudformation-program.ts")).prepareCloudFormationProgram(
            request.cloudformation,
            (line) => send({ type: "output", line: `cloudformation: ${line}` }),
          )
        : { program: await loadProgram(requireStackDir(request)), config: undefined };
  const stack = await openStack(request.engine, {
    projectName: request.projectName,
    stackName: request.stackName,
    program,
  });
  const onOutput = streamLines((line) => send({ type: "output", line }));
  const options = { onOutput, signal: controller.signal, color: "never" as const };
  const recovery = {
    signal: controller.signal,
    onRecovered: (message: string) => send({ type: "recovered", message }),
  };

  if (request.operation === "up") {
    await replaceStackConfig(stack, {
      ...(request.cloudformation ? {} : readTemplateConfig(requireStackDir(request), request.projectName)),
      ...request.copyConfig,
      ...toConfigMap(request.config),
    });
    const result = await withLockRecovery(stack, () => stack.up(options), recovery);
    onOutput.flush();
    const outputs = Object.fromEntries(
      Object.entries(result.outputs).map(([key, output]) => [key, output.secret ? MASKED_SECRET : output.value]),
    );
    return { type: "done", outputs, changes: result.summary.resourceChanges ?? {}, ...(config && { config }) };
  }
  const result = await withLockRecovery(stack, () => stack.destroy(options), recovery);
  onOutput.flush();
  await stack.workspace.removeStack(request.stackName);
  return { type: "done", outputs: {}, changes: result.summary.resourceChanges ?? {} };
}

async function loadProgram(stackDir: string): Promise<PulumiFn> {
  const main = readProjectFile(stackDir).main;
  const base = path.resolve(stackDir, typeof main === "string" ? main : "index.ts");
  const file = [base, `${base}.ts`, path.join(base, "index.ts"), path.join(base, "index.js")].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
  if (!file)
    throw new StackforkError("DEPLOY_FAILED", `no program found in ${stackDir} (index.ts or Pulumi.yaml main)`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (typeof mod.default !== "function") {
    throw new StackforkError(
      "DEPLOY_FAILED",
      `${path.relative(stackDir, file)} must default-export the Pulumi program function`,
    );
  }
  return mod.default as PulumiFn;
}

function readProjectFile(stackDir: string): Record<string, unknown> {
  const file = path.join(stackDir, "Pulumi.yaml");
  if (!existsSync(file)) throw new StackforkError("DEPLOY_FAILED", `${file} is missing: not a Pulumi project`);
  return (parseYaml(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
}

/** The project's `config:` block is the production template every copy starts from. */
function readTemplateConfig(stackDir: string, projectName: string): ConfigMap {
  const block = readProjectFile(stackDir).config;
  if (!block || typeof block !== "object") return {};
  const entries = Object.entries(block as Record<string, unknown>).flatMap(([key, spec]) => {
    const value =
      spec && typeof spec === "object"
        ? ((spec as { default?: unknown; value?: unknown }).value ?? (spec as { default?: unknown }).default)
        : spec;
    if (value === undefined || value === null || typeof value === "object") return [];
    return [[key.includes(":") ? key : `${projectName}:${key}`, { value: String(value) }] as const];
  });
  return Object.fromEntries(entries);
}

function toConfigMap(config: Record<string, string>): ConfigMap {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value }]));
}

function requireStackDir(request: StackOperationRequest): string {
  if (!request.stackDir) throw new StackforkError("DEPLOY_FAILED", "up needs the checkout's stack directory");
  return request.stackDir;
}

/** The engine's output arrives in chunks; history wants whole lines. */
function streamLines(emit: (line: string) => void) {
  let rest = "";
  const onOutput = (chunk: string) => {
    const lines = (rest + chunk).split(/\r?\n/);
    rest = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) emit(line);
  };
  onOutput.flush = () => {
    if (rest.trim()) emit(rest);
    rest = "";
  };
  return onOutput;
}

function send(message: StackOperationMessage): void {
  process.send?.(message);
}

function finish(message: StackOperationMessage): void {
  if (!process.send) process.exit(message.type === "done" ? 0 : 1);
  process.send(message, () => process.exit(message.type === "done" ? 0 : 1));
}
