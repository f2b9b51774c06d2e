import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Stack } from "@pulumi/pulumi/automation/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStackforkError } from "../core/errors.ts";
import { greetingProgram } from "../test/fixtures/greeting-program.ts";
import { mapPulumiError } from "./map-pulumi-error.ts";
import { openStack } from "./open-stack.ts";
import { requirePulumiCli } from "./pulumi-cli.ts";
import type { PulumiEngineOptions } from "./pulumi-engine-options.ts";

// The real engine on a temporary file:// backend: no mocks.
describe("openStack on the real pulumi engine", () => {
  let stateDir: string;
  let engine: PulumiEngineOptions;
  let stack: Stack;
  const stackName = "dev";

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "stackfork-engine-"));
    engine = {
      cli: requirePulumiCli(process.env),
      stateDir,
      passphrase: "test-passphrase",
      searchPath: process.env.PATH ?? "",
    };
    stack = await openStack(engine, { projectName: "greeting", stackName, program: greetingProgram });
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("creates the resource on up and returns its outputs", async () => {
    const result = await stack.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toMatchObject({ create: 2 });
    expect(result.outputs.greeting?.value).toBe("hello stackfork");
  });

  it("reports no changes on a second up", async () => {
    const result = await stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 2 });
  });

  it("refuses a concurrent up on the same stack with STACK_LOCKED", async () => {
    await stack.setAllConfig({ name: { value: "slow" }, delayMs: { value: "4000" } });
    const first = stack.up();
    await waitForLock(path.join(stateDir, "backend", "greeting", stackName));
    const second = await openStack(engine, { projectName: "greeting", stackName, program: greetingProgram });
    const err = await second.up().then(
      () => undefined,
      (e: unknown) => mapPulumiError(e, "up"),
    );
    expect(err?.code).toBe("STACK_LOCKED");
    expect((await first).outputs.greeting?.value).toBe("hello slow");
  });

  it("keeps stack settings (the encryption salt) for a new process", async () => {
    await stack.setConfig("token", { value: "s3cret", secret: true });
    const settingsFile = path.join(stateDir, "workspaces", "greeting", stackName, `Pulumi.${stackName}.yaml`);
    const salt = readFileSync(settingsFile, "utf8").match(/encryptionsalt: (\S+)/)?.[1];
    expect(salt).toBeTruthy();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "test/fixtures/read-stack-secret.ts", stateDir, stackName, "token"],
      { env: process.env },
    );
    expect(JSON.parse(stdout)).toEqual({ value: "s3cret", salt });
  });

  it("restores the settings from the state in a brand-new work dir: the same salt reads and writes secrets", async () => {
    await stack.up();
    const { encryptionSalt } = await stack.workspace.stackSettings(stackName);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        "test/fixtures/read-stack-secret.ts",
        path.join(stateDir, "a-fresh-state-dir"),
        stackName,
        "token",
        "--engine",
        JSON.stringify({ backendUrl: `file://${path.join(stateDir, "backend")}` }),
        "--then-update",
        "again",
      ],
      { env: process.env },
    );
    expect(JSON.parse(stdout)).toEqual({ output: "s3cret", salt: encryptionSalt, updated: "again" });
    expect((await stack.outputs()).token?.value).toBe("again");
  });

  it("destroys the resources, then removes the stack", async () => {
    const result = await stack.destroy();
    expect(result.summary.resourceChanges).toMatchObject({ delete: 2 });
    await stack.workspace.removeStack(stackName);
    expect(await stack.workspace.listStacks()).toEqual([]);
    const err = await stack.workspace.selectStack(stackName).catch((e: unknown) => mapPulumiError(e, "select"));
    expect(isStackforkError(err, "STACK_NOT_FOUND")).toBe(true);
  });
});

/** The file backend writes a lock file per running update under .pulumi/locks. */
async function waitForLock(backendDir: string): Promise<void> {
  const locks = path.join(backendDir, ".pulumi", "locks");
  for (let i = 0; i < 300; i++) {
    if (existsSync(locks) && readdirSync(locks, { recursive: true }).some((f) => String(f).endsWith(".json"))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no lock appeared under ${locks}`);
}
