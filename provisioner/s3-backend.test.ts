import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { Stack } from "@pulumi/pulumi/automation/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAwsResources } from "../aws/aws-resources.ts";
import { bootstrapAwsResources } from "../aws/bootstrap-aws-resources.ts";
import { type AwsClients, createAwsClients } from "../aws/create-aws-clients.ts";
import { greetingProgram } from "../test/fixtures/greeting-program.ts";
import { uniqueAwsPrefix } from "../test/support/aws-test-resources.ts";
import { listBackendStacks, readBackendStates } from "./list-backend-stacks.ts";
import { listS3BackendStacks } from "./list-s3-backend-stacks.ts";
import { mapPulumiError } from "./map-pulumi-error.ts";
import { openStack } from "./open-stack.ts";
import { requirePulumiCli } from "./pulumi-cli.ts";
import type { PulumiEngineOptions } from "./pulumi-engine-options.ts";
import { withLockRecovery } from "./with-lock-recovery.ts";

const run = promisify(execFile);
const fixtures = path.join(import.meta.dirname, "..", "test", "fixtures");

// The real engine on the AWS emulator's S3 (Pulumi's DIY s3:// backend) and KMS (awskms:// secrets),
// as the worker Lambda runs it: every process may start from an empty work dir.
describe("the engine on an s3:// backend with awskms:// secrets", () => {
  const stackName = "dev";
  const plaintext = "PLAINTEXT-token-4f1c";
  let work: string;
  let clients: AwsClients;
  let bucket: string;
  let engine: PulumiEngineOptions;
  let stack: Stack;
  /** Processes this file started, killed at the end if a failed test left one running. */
  const started: ChildProcess[] = [];
  /** The stack's objects, under the URL's key prefix. */
  const keyPrefix = "stackfork/state";

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-s3-backend-"));
    const prefix = uniqueAwsPrefix("s3-backend");
    const endpoint = encodeURIComponent(process.env.AWS_ENDPOINT_URL ?? "");
    bucket = `${prefix}-state`;
    clients = createAwsClients();
    engine = {
      cli: requirePulumiCli(process.env),
      stateDir: path.join(work, "a"),
      passphrase: "test-passphrase",
      searchPath: process.env.PATH ?? "",
      backendUrl: `s3://${bucket}/${keyPrefix}?region=us-east-1&endpoint=${endpoint}&s3ForcePathStyle=true`,
      secretsProvider: `awskms://alias/${prefix}?region=us-east-1&endpoint=${endpoint}`,
    };
    await bootstrapAwsResources({
      clients,
      resources: defineAwsResources(prefix),
      stateUrl: engine.backendUrl,
      secretsProvider: engine.secretsProvider,
    });
    stack = await openStack(engine, { projectName: "greeting", stackName, program: greetingProgram });
  });
  afterAll(() => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) killTree(child);
    clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("keeps the stack in the bucket, and a secret config value there only as ciphertext", async () => {
    await stack.setConfig("token", { value: plaintext, secret: true });
    const result = await stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.outputs.token).toEqual({ value: plaintext, secret: true });

    const keys = await listKeys(`${keyPrefix}/`);
    expect(keys).toContain(`${keyPrefix}/.pulumi/stacks/greeting/${stackName}.json`);
    const texts = await Promise.all(keys.map((key) => readObject(key)));
    expect(texts.filter((text) => text.includes(plaintext))).toEqual([]);
    const state = JSON.parse(await readObject(`${keyPrefix}/.pulumi/stacks/greeting/${stackName}.json`));
    expect(state.checkpoint.latest.secrets_providers).toMatchObject({
      type: "cloud",
      state: { url: engine.secretsProvider },
    });
    expect(JSON.stringify(state)).toContain("ciphertext");

    expect(await listBackendStacks(requireBackendUrl(engine), { s3: clients.s3 })).toEqual([
      { project: "greeting", stack: stackName, updatedAt: expect.any(String) },
    ]);
    const [stateText] = await readBackendStates(requireBackendUrl(engine), { s3: clients.s3 });
    expect(JSON.parse(stateText ?? "{}").checkpoint.stack).toBe(`organization/greeting/${stackName}`);
  });

  it("reads the secret from a brand-new work dir and updates it with the same KMS key", async () => {
    const before = await stack.workspace.stackSettings(stackName);
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(fixtures, "read-stack-secret.ts"),
        path.join(work, "b"),
        stackName,
        "token",
        "--engine",
        JSON.stringify({ backendUrl: engine.backendUrl, secretsProvider: engine.secretsProvider }),
        "--then-update",
        "second-token-9a7e",
      ],
      { env: process.env },
    );
    expect(JSON.parse(stdout)).toEqual({
      output: plaintext,
      secretsProvider: engine.secretsProvider,
      encryptedKey: before.encryptedKey,
      updated: "second-token-9a7e",
    });
    // Still a KMS stack, with the key work dir A has: A reads what B wrote.
    const { deployment } = await stack.exportStack();
    expect(deployment.secrets_providers).toEqual({
      type: "cloud",
      state: { url: engine.secretsProvider, encryptedkey: before.encryptedKey },
    });
    expect((await stack.outputs()).token?.value).toBe("second-token-9a7e");
  });

  it("refuses a concurrent up with STACK_LOCKED", async () => {
    await stack.setAllConfig({ name: { value: "slow" }, delayMs: { value: "4000" } });
    const first = stack.up();
    await waitForLock();
    const second = await openStack(engine, { projectName: "greeting", stackName, program: greetingProgram });
    const err = await second.up().then(
      () => undefined,
      (e: unknown) => mapPulumiError(e, "up"),
    );
    expect(err?.code).toBe("STACK_LOCKED");
    expect((await first).outputs.greeting?.value).toBe("hello slow");
    expect(await listKeys(`${keyPrefix}/.pulumi/locks/`)).toEqual([]);
  });

  it("recovers the lock of an update killed midway", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(fixtures, "run-slow-update.ts"),
        path.join(work, "killed"),
        stackName,
        "60000",
        "--engine",
        JSON.stringify({ backendUrl: engine.backendUrl, secretsProvider: engine.secretsProvider }),
      ],
      { env: process.env, stdio: "ignore" },
    );
    started.push(child);
    await waitForLock();
    // Killed once the greeting's own update has begun (its pending operation is in the checkpoint;
    // the default provider's, whose inputs hold the config, comes and goes just before).
    const stateKey = `${keyPrefix}/.pulumi/stacks/greeting/${stackName}.json`;
    const pendingOperations = async () =>
      (JSON.parse(await readObject(stateKey)).checkpoint.latest.pending_operations ?? []) as PendingOperation[];
    const greetingUpdate = expect.objectContaining({
      type: "updating",
      resource: expect.objectContaining({ type: "pulumi-nodejs:dynamic:Resource" }),
    });
    await waitFor(async () => {
      const operations = await pendingOperations();
      return operations.some((op) => op.type === "updating" && op.resource.type === "pulumi-nodejs:dynamic:Resource");
    }, "the killed run's update of the greeting to begin");
    killTree(child);
    expect(await listKeys(`${keyPrefix}/.pulumi/locks/`)).toEqual([
      expect.stringMatching(
        new RegExp(`^${keyPrefix}/\\.pulumi/locks/organization/greeting/${stackName}/[^/]+\\.json$`),
      ),
    ]);
    expect(await pendingOperations()).toEqual([greetingUpdate]);

    // The lease proves that run dead: the next one cancels its lock, refreshes and updates.
    const recoveries: string[] = [];
    await stack.setAllConfig({ name: { value: "after-the-kill" }, delayMs: { value: "0" } });
    const result = await withLockRecovery(stack, () => stack.up(), {
      signal: new AbortController().signal,
      onRecovered: (message) => recoveries.push(message),
    });
    expect(recoveries).toHaveLength(1);
    expect(result.outputs.greeting?.value).toBe("hello after-the-kill");
    expect(await pendingOperations()).toEqual([]);
    expect(await listKeys(`${keyPrefix}/.pulumi/locks/`)).toEqual([]);
  });

  it("destroys and removes the stack: no stack object is left", async () => {
    const result = await stack.destroy();
    expect(result.summary.resourceChanges).toMatchObject({ delete: 2 });
    await stack.workspace.removeStack(stackName);
    // `stack rm` deletes the state object and leaves its `.json.bak` copy.
    const left = await listKeys(`${keyPrefix}/.pulumi/stacks/`);
    expect(left.filter((key) => key.endsWith(".json"))).toEqual([]);
    expect(await stack.workspace.listStacks()).toEqual([]);
    expect(await listBackendStacks(requireBackendUrl(engine), { s3: clients.s3 })).toEqual([]);
  });

  it("lists stacks from the DIY layout only: one per <project>/<stack>.json under the URL's prefix", async () => {
    const put = (Key: string) => clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: "{}" }));
    const other = "elsewhere";
    await Promise.all(
      [
        `${other}/.pulumi/stacks/api/feature-a.json`,
        `${other}/.pulumi/stacks/api/feature-a.json.bak`,
        `${other}/.pulumi/stacks/web/main-copy.json`,
        `${other}/.pulumi/stacks/legacy.json`,
        `${other}/.pulumi/history/api/feature-a/feature-a-1.checkpoint.json`,
        `${other}/.pulumi/locks/organization/api/feature-a/1.json`,
        `${other}x/.pulumi/stacks/api/not-this-prefix.json`,
      ].map(put),
    );
    const stacks = await listS3BackendStacks({
      backendUrl: `s3://${bucket}/${other}/?region=us-east-1`,
      s3: clients.s3,
    });
    expect(stacks.map((s) => `${s.project}/${s.stack}`)).toEqual(["api/feature-a", "web/main-copy"]);
    expect(new Date(stacks[0]?.updatedAt ?? "").getTime()).toBeGreaterThan(Date.now() - 600_000);
  });

  async function listKeys(Prefix: string): Promise<string[]> {
    const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix }));
    return (page.Contents ?? []).map((object) => object.Key ?? "");
  }

  async function readObject(Key: string): Promise<string> {
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
    return (await object.Body?.transformToString("utf8")) ?? "";
  }

  /** The DIY backend writes one lock object per running update under .pulumi/locks. */
  async function waitForLock(): Promise<void> {
    const prefix = `${keyPrefix}/.pulumi/locks/`;
    let keys: string[] = [];
    await waitFor(async () => {
      keys = await listKeys(prefix);
      return keys.some((key) => key.endsWith(".json"));
    }, `a lock under ${prefix}`);
  }
});

interface PendingOperation {
  type: string;
  resource: { urn: string; type: string };
}

function requireBackendUrl(engine: PulumiEngineOptions): string {
  if (!engine.backendUrl) throw new Error("the test engine names its backend");
  return engine.backendUrl;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * SIGKILL a process and everything it started (the pulumi CLI, its plugins), by pid. All are
 * stopped first, so that none sees another die and writes the state once more.
 */
function killTree(child: ChildProcess): void {
  const ps = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" });
  const children = new Map<number, number[]>();
  for (const line of ps.trim().split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const kid of children.get(pid) ?? []) visit(kid);
  };
  visit(child.pid as number);
  for (const signal of ["SIGSTOP", "SIGKILL"] as const) {
    for (const pid of tree) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }
}
