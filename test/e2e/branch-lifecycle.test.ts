import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileBackendStates } from "../../provisioner/list-file-backend-stacks.ts";
import { sweepSourceTrees } from "../../source/sweep-source-trees.ts";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { requestUrl } from "../support/preview-harness.ts";
import { runCli } from "../support/run-cli.ts";
import { processesMentioning, readStackResources, stopProcessesMentioning } from "../support/stack-state.ts";
import { deletePayload, pushPayload } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";
const PROJECT = "acme-api";

// The whole path on one machine: signed webhook -> queue -> worker -> real pulumi engine -> a copy
// of stacks/service served on loopback -> destroy. No mocks of our own code.
describe("a branch's environment, end to end", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-e2e-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    server = await startEmbeddedServer({ dataDir, repositories: [{ name: REPO, localPath: repo.dir }] });
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  // Three engine runs: on a loaded 2-core machine (CI runs the crash tests beside it) they may take minutes.
  it("push -> ready, update in place, delete -> destroyed with nothing left", async () => {
    const first = repo.commit("feature/login", "first");
    const accepted = await server.deliver("push", pushPayload(REPO, "feature/login", first));
    expect(accepted.status).toBe(202);
    const id = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    expect(id).toMatch(/^api-feature-login-[0-9a-f]{8}$/);

    const ready = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed");
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");
    expect(ready.commitSha).toBe(first);
    expect(ready.outputs).toMatchObject({ url: ready.directUrl, environment: id, target: "local" });
    const url = ready.directUrl as string;
    expect(await (await fetch(`${url}/`)).json()).toMatchObject({
      environment: id,
      branch: "feature/login",
      commit: first,
    });
    // The routed address (preview-router/) serves the same copy, by Host, on the server's own port.
    const routed = `http://${id}.localhost:${new URL(server.baseUrl).port}`;
    expect(ready.url).toBe(routed);
    const viaRouter = await requestUrl(`${routed}/`);
    expect(JSON.parse(viaRouter.body.toString())).toMatchObject({ environment: id, commit: first });
    // The engine's output was streamed into the environment's log, line by line.
    const log = (await (await fetch(`${server.baseUrl}/api/environments/${id}/logs`)).json()) as {
      lines: { text: string }[];
    };
    expect(log.lines.some((line) => line.text.includes("pulumi:pulumi:Stack"))).toBe(true);
    const before = readStackResources(dataDir, PROJECT, id) ?? [];
    expect(before.length).toBeGreaterThan(1);
    expect(before.every((r) => typeof r.created === "string")).toBe(true);

    const second = repo.commit("feature/login", "second");
    expect((await server.deliver("push", pushPayload(REPO, "feature/login", second))).status).toBe(202);
    const updated = await server.waitFor(id, (e) => e.status === "ready" && e.commitSha === second);
    expect(updated.directUrl).toBe(url);
    expect(updated.url).toBe(routed);
    expect(await (await fetch(`${url}/`)).json()).toMatchObject({ commit: second });
    // Updated in place: the same resources, none created anew (a replacement would get a new `created`).
    const after = readStackResources(dataDir, PROJECT, id) ?? [];
    expect(after.map((r) => [r.urn, r.id, r.created])).toEqual(before.map((r) => [r.urn, r.id, r.created]));

    // The first commit's tree is no longer needed; the second's is kept by the stack's state alone
    // (the running local copy's files are in it). The destroy below still works after the sweep.
    const trees = path.join(dataDir, "sources", PROJECT);
    const { removed } = await sweepSourceTrees({
      sourcesDir: path.join(dataDir, "sources"),
      uploadsDir: path.join(dataDir, "uploads"),
      stateTexts: readFileBackendStates(path.join(dataDir, "pulumi")),
      inUse: new Set(),
      minAgeMs: 0,
      now: new Date(),
    });
    expect(removed).toEqual([path.join(trees, first)]);
    expect(existsSync(path.join(trees, second))).toBe(true);

    repo.deleteBranch("feature/login");
    expect((await server.deliver("delete", deletePayload(REPO, "feature/login"))).status).toBe(202);
    const destroyed = await server.waitFor(id, (e) => e.status === "destroyed" || e.status === "failed");
    expect(destroyed.status, JSON.stringify(destroyed.lastError)).toBe("destroyed");
    expect(destroyed.url).toBeUndefined();
    expect(destroyed.directUrl).toBeUndefined();
    expect(destroyed.outputs).toBeUndefined();
    await expect(fetch(`${url}/`)).rejects.toThrow();
    expect((await requestUrl(`${routed}/`)).status).toBe(404);
    expect(readStackResources(dataDir, PROJECT, id)).toBeUndefined();
    expect(processesMentioning(path.join(dataDir, "copies", id))).toEqual([]);
    expect(destroyed.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "deploy_requested",
        "deploy_started",
        "deploy_succeeded",
        "destroy_requested",
        "destroy_succeeded",
      ]),
    );
  }, 300_000);

  it("answers a replayed delivery with 200 and does nothing", async () => {
    const sha = repo.commit("feature/replay", "replay");
    const first = await server.deliver("push", pushPayload(REPO, "feature/replay", sha), "delivery-replay-1");
    const replay = await server.deliver("push", pushPayload(REPO, "feature/replay", sha), "delivery-replay-1");
    expect(first.status).toBe(202);
    expect(replay).toMatchObject({ status: 200, body: { code: "DELIVERY_REPLAYED" } });
    const id = (first.body.queued as { environment: string }[])[0]?.environment as string;
    const env = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed");
    expect(env.events.filter((e) => e.type === "deploy_requested")).toHaveLength(1);
  });

  it("reports orphans from the real state: none, then a stack with no environment and an environment with no stack", async () => {
    const orphans = () => fetch(`${server.baseUrl}/api/orphans`).then((r) => r.json());
    // Every environment so far (one destroyed, one ready) agrees with the state.
    expect(await orphans()).toEqual({ stacks: [], environments: [], resources: [] });
    const ready = (await server.environments()).environments.find((e) => e.status === "ready");
    expect(ready).toBeDefined();
    const backendDir = path.join(dataDir, "pulumi", "backend");
    const stackFile = path.join(
      backendDir,
      PROJECT,
      `${ready?.name}`,
      ".pulumi",
      "stacks",
      PROJECT,
      `${ready?.name}.json`,
    );
    // A stack nobody owns, as a crashed platform or a hand-made `pulumi stack init` leaves one (in
    // the shared backend of an earlier version).
    const stacksDir = path.join(backendDir, ".pulumi", "stacks", PROJECT);
    mkdirSync(stacksDir, { recursive: true });
    copyFileSync(stackFile, path.join(stacksDir, "ghost.json"));
    // A ready environment whose stack was removed behind the platform's back.
    renameSync(stackFile, `${stackFile}.moved`);
    try {
      expect(await orphans()).toMatchObject({
        stacks: [{ project: PROJECT, stack: "ghost" }],
        environments: [{ id: ready?.id, status: "ready" }],
      });
      const cli = await runCli(["orphans"], { STACKFORK_URL: server.baseUrl, STACKFORK_API_TOKEN: API_TOKEN });
      expect(cli.code, cli.stderr).toBe(1);
      expect(cli.stdout).toMatch(/ghost/);
      expect(cli.stdout).toContain(ready?.id);
    } finally {
      renameSync(`${stackFile}.moved`, stackFile);
      rmSync(path.join(stacksDir, "ghost.json"));
    }
    expect(await orphans()).toEqual({ stacks: [], environments: [], resources: [] });
  });
});
