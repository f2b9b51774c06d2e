import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { expectBurstCollapses } from "../support/expect-burst-collapses.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import {
  listStackLocks,
  processesMentioning,
  readStackResources,
  stopProcessesMentioning,
} from "../support/stack-state.ts";
import { deletePayload, pushPayload } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";
const PROJECT = "acme-api";

// The races every preview tool gets wrong, against the real engine and a real server process.
describe("races and crashes", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;
  const start = () =>
    startEmbeddedServer({
      dataDir,
      repositories: [{ name: REPO, localPath: repo.dir }],
      extraConfig: { leaseSeconds: 5 },
    });

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-races-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  const queuedId = (body: Record<string, unknown>) =>
    (body.queued as { environment: string }[])[0]?.environment as string;

  it("collapses a burst of 10 pushes into at most 2 engine runs, ending on the last commit", async () => {
    await expectBurstCollapses(server, repo, REPO);
  });

  it("a destroy arriving during a deploy ends destroyed, with nothing left", async () => {
    const sha = repo.commit("doomed", "doomed");
    const id = queuedId((await server.deliver("push", pushPayload(REPO, "doomed", sha))).body);
    await server.waitFor(id, (e) => e.status === "deploying");
    expect((await server.deliver("delete", deletePayload(REPO, "doomed"))).status).toBe(202);
    const env = await server.waitFor(id, (e) => e.status === "destroyed" || e.status === "failed");
    expect(env.status, JSON.stringify(env.lastError)).toBe("destroyed");
    expect(readStackResources(dataDir, PROJECT, id)).toBeUndefined();
    expect(processesMentioning(path.join(dataDir, "copies", id))).toEqual([]);
    expect(listStackLocks(dataDir)).toEqual([]);
  });

  it("kill -9 during a deploy, restart: the environment ends ready and no lock is left", async () => {
    const sha = repo.commit("crash", "crash");
    const id = queuedId((await server.deliver("push", pushPayload(REPO, "crash", sha))).body);
    await server.waitFor(id, (e) => e.status === "deploying" && listStackLocks(dataDir).length > 0, 60_000);
    await server.stop("SIGKILL");
    server = await start();
    const env = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed");
    expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
    expect(env.commitSha).toBe(sha);
    expect(await (await fetch(`${env.directUrl}/`)).json()).toMatchObject({ commit: sha });
    expect(listStackLocks(dataDir)).toEqual([]);
  });

  it("SIGTERM during a deploy lets it finish, then exits; nothing runs twice", async () => {
    const sha = repo.commit("graceful", "graceful");
    const id = queuedId((await server.deliver("push", pushPayload(REPO, "graceful", sha))).body);
    await server.waitFor(id, (e) => e.status === "deploying");
    await server.stop("SIGTERM");
    expect(server.exitCode()).toBe(0);
    server = await start();
    const env = await server.environment(id);
    expect(env.status).toBe("ready");
    expect(env.events.filter((e) => e.type === "deploy_started")).toHaveLength(1);
  });

  it("a copy that died while the server was down is redeployed at the next start", async () => {
    const sha = repo.commit("revive", "revive");
    const id = queuedId((await server.deliver("push", pushPayload(REPO, "revive", sha))).body);
    const ready = await server.waitFor(id, (e) => e.status === "ready");
    await server.stop("SIGTERM");
    stopProcessesMentioning(path.join(dataDir, "copies", id)); // the machine restarted, say
    await server.waitUntilGone(path.join(dataDir, "copies", id));
    await expect(fetch(`${ready.directUrl}/`)).rejects.toThrow();
    server = await start();
    const revived = await server.waitFor(
      id,
      (e) => e.status === "ready" && e.events.filter((x) => x.type === "deploy_succeeded").length === 2,
    );
    expect(revived.events.some((e) => e.type === "deploy_requested" && e.actor === "stackfork")).toBe(true);
    expect(await (await fetch(`${revived.directUrl}/`)).json()).toMatchObject({ commit: sha });
  });

  it("deploys branches in parallel, more than the concurrency; colliding and hostile names stay distinct and never reach a shell", async () => {
    const canary = path.join(work, "pwned");
    const branches = ["feature/a_b", "feature-a-b", `evil/$(touch\${IFS}${canary})"'\`;x`];
    const ids: string[] = [];
    for (const branch of branches) {
      const sha = repo.commit(branch, `hello ${branch}`);
      ids.push(queuedId((await server.deliver("push", pushPayload(REPO, branch, sha))).body));
    }
    expect(new Set(ids).size).toBe(3);
    const envs = await Promise.all(
      ids.map((id) => server.waitFor(id, (e) => e.status === "ready" || e.status === "failed")),
    );
    for (const [i, env] of envs.entries()) {
      expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
      expect(await (await fetch(`${env.directUrl}/`)).json()).toMatchObject({ branch: branches[i] });
    }
    expect(new Set(envs.map((e) => e.directUrl)).size).toBe(3);
    expect(existsSync(canary)).toBe(false);
  });
});
