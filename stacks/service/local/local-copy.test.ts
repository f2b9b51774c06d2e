import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nameEnvironment } from "../../../core/environment-name.ts";
import { openStack } from "../../../provisioner/open-stack.ts";
import { requirePulumiCli } from "../../../provisioner/pulumi-cli.ts";
import type { PulumiEngineOptions } from "../../../provisioner/pulumi-engine-options.ts";
import program from "../index.ts";
import { isCopyProcess, isRunning } from "./is-copy-process.ts";

// The real engine on a temporary file:// backend, target local: a real process, a real dynalite.
describe("the service stack, target local, on the real pulumi engine", () => {
  const repository = "acme/shop";
  const branch = `feature/"quoted" ünïcode 🚀`;
  const environment = nameEnvironment({ kind: "branch", repository, branch });
  const firstCommit = "1111111111111111111111111111111111111111";
  const secondCommit = "2222222222222222222222222222222222222222";
  let stateDir: string;
  let dataDir: string;
  let stack: Stack;
  let url: string;
  /** Every copy process we saw, to end them whatever happens. */
  const pids = new Set<number>();

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "stackfork-service-state-"));
    dataDir = path.join(mkdtempSync(path.join(tmpdir(), "stackfork-service-data-")), "copy");
    const engine: PulumiEngineOptions = {
      cli: requirePulumiCli(process.env),
      stateDir,
      passphrase: "test-passphrase",
      searchPath: process.env.PATH ?? "",
    };
    stack = await openStack(engine, { projectName: "service", stackName: environment, program });
    await stack.setAllConfig({
      "stackfork:environment": { value: environment },
      "stackfork:repository": { value: repository },
      "stackfork:branch": { value: branch },
      "stackfork:commit": { value: firstCommit },
      "stackfork:owner": { value: "octocat" },
      "stackfork:target": { value: "local" },
      "stackfork:dataDir": { value: dataDir },
    });
  });

  afterAll(() => {
    // Whatever a failed test left running; only processes that are copies of this data dir.
    for (const pid of pids) if (isCopyProcess(pid, dataDir)) process.kill(pid, "SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it("creates a copy on up that answers with its commit", async () => {
    const result = await stack.up();
    rememberPid();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 2 });
    url = result.outputs.url?.value;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await getJson("/")).toEqual({ environment, repository, branch, commit: firstCommit, owner: "octocat" });
  });

  it("keeps items in dynalite: POST then GET round-trips", async () => {
    const created = await fetch(`${url}/items`, { method: "POST", body: JSON.stringify({ name: "first" }) });
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: string };
    expect(await getJson(`/items/${item.id}`)).toMatchObject({ id: item.id, name: "first" });
  });

  it("reports no changes on a second up with the same config", async () => {
    const result = await stack.up();
    expect(result.summary.resourceChanges).toEqual({ same: 2 });
  });

  it("updates the copy in place for a new commit: same URL, new commit, same data", async () => {
    await stack.setConfig("stackfork:commit", { value: secondCommit });
    const result = await stack.up();
    rememberPid();
    expect(result.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    expect(result.outputs.url?.value).toBe(url);
    expect(await getJson("/")).toMatchObject({ commit: secondCommit });
    expect(await getJson("/items")).toMatchObject({ items: [{ name: "first" }] });
  });

  it("restarts a copy whose process died (a machine restart) on the next up", async () => {
    const pid = readPid();
    process.kill(pid, "SIGKILL");
    await waitUntil(() => !isRunning(pid));
    expect(await tryConnect(url)).toBe("refused");

    const result = await stack.up();
    rememberPid();
    expect(result.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    expect(result.outputs.url?.value).toBe(url);
    expect(readPid()).not.toBe(pid);
    expect(await getJson("/")).toMatchObject({ commit: secondCommit });
  });

  it("refreshes when the checkout that deployed it is not visible, and the next up moves it to the new one", async () => {
    // A lock recovery refreshes from the new commit's sandbox: the state's inputs name a tree it cannot see.
    const state = await stack.exportStack();
    const deployed = providerModuleOf(state);
    pointProviderAt(state, path.join(path.dirname(dataDir), "unseen-checkout", "local-copy-provider.ts"));
    await stack.importStack(state);

    const refreshed = await stack.refresh();
    expect(refreshed.summary.result).toBe("succeeded");
    const result = await stack.up();
    expect(result.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    rememberPid();
    const after = await stack.exportStack();
    expect(providerModuleOf(after)).toBe(deployed);
    expect(await getJson("/")).toMatchObject({ commit: secondCommit });
  });

  it("stops the process and frees the port on destroy, leaving no resources", async () => {
    const pid = readPid();
    const result = await stack.destroy();
    expect(result.summary.resourceChanges).toEqual({ delete: 2 });
    expect(isRunning(pid)).toBe(false);
    expect(await tryConnect(url)).toBe("refused");
    expect(existsSync(dataDir)).toBe(false);
    const state = await stack.exportStack();
    expect(state.deployment.resources ?? []).toEqual([]);
  });

  it("still stops the process on destroy when the checkout that deployed it is gone", async () => {
    // `destroy` runs no program: only the state says where the provider's code is. Point it at a
    // checkout that no longer exists, as after the platform removed an old source directory.
    const up = await stack.up();
    rememberPid();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    const pid = readPid();
    const state = await stack.exportStack();
    pointProviderAt(state, path.join(path.dirname(dataDir), "removed-checkout", "local-copy-provider.ts"));
    await stack.importStack(state);

    const result = await stack.destroy();
    expect(result.summary.resourceChanges).toEqual({ delete: 2 });
    await waitUntil(() => !isRunning(pid));
    expect(await tryConnect(up.outputs.url?.value)).toBe("refused");
  });

  function providerModuleOf(state: Awaited<ReturnType<Stack["exportStack"]>>): unknown {
    const resources: Array<{ inputs?: { providerModule?: string } }> = state.deployment.resources ?? [];
    return resources.find((resource) => resource.inputs?.providerModule)?.inputs?.providerModule;
  }

  /** Rewrites where the state says the copy's provider code is. */
  function pointProviderAt(state: Awaited<ReturnType<Stack["exportStack"]>>, providerModule: string): void {
    for (const resource of state.deployment.resources ?? []) {
      if (resource.inputs?.providerModule) resource.inputs.providerModule = providerModule;
      if (resource.outputs?.providerModule) resource.outputs.providerModule = providerModule;
    }
  }

  function readPid(): number {
    return Number.parseInt(readFileSync(path.join(dataDir, "copy.pid"), "utf8"), 10);
  }

  function rememberPid(): void {
    pids.add(readPid());
  }

  async function getJson(route: string): Promise<unknown> {
    const res = await fetch(`${url}${route}`);
    expect(res.status).toBe(200);
    return res.json();
  }
});

function tryConnect(url: string): Promise<"connected" | "refused"> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (err: NodeJS.ErrnoException) =>
      err.code === "ECONNREFUSED" ? resolve("refused") : reject(err),
    );
  });
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(condition()).toBe(true);
}
