import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { processesMentioning, readStackResources, stopProcessesMentioning } from "../support/stack-state.ts";
import { pushPayload } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";
const PROJECT = "acme-api";
// 0.004 h = 14.4 s: long enough to see the copy answer on a busy machine, short enough for a test.
const TTL_HOURS = 0.004;

// The whole life of an idle preview: deployed, left alone, destroyed by the sweep with nothing left.
describe("expiry, end to end", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-e2e-expiry-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    server = await startEmbeddedServer({
      dataDir,
      repositories: [{ name: REPO, localPath: repo.dir, ttlHours: TTL_HOURS }],
      extraConfig: { reapIntervalSeconds: 1 },
    });
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("destroys an environment once its TTL has passed, by stackfork, saying it expired", async () => {
    const sha = repo.commit("feature/idle", "idle");
    const accepted = await server.deliver("push", pushPayload(REPO, "feature/idle", sha));
    const id = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    const ready = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed");
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");
    const url = ready.directUrl as string;
    expect((await fetch(`${url}/`)).ok).toBe(true);
    const ttlMs = Date.parse(ready.expiresAt as string) - Date.parse(ready.updatedAt);
    expect(ttlMs).toBe(TTL_HOURS * 3_600_000);

    const destroyed = await server.waitFor(id, (e) => e.status === "destroyed" || e.status === "failed");
    expect(destroyed.status, JSON.stringify(destroyed.lastError)).toBe("destroyed");
    const requested = destroyed.events.find((e) => e.type === "destroy_requested");
    expect(requested).toMatchObject({ actor: "stackfork", message: expect.stringMatching(/^expired at /) });
    // Not before its time.
    expect(Date.parse(requested?.at as string)).toBeGreaterThanOrEqual(Date.parse(ready.expiresAt as string));
    await expect(fetch(`${url}/`)).rejects.toThrow();
    expect(readStackResources(dataDir, PROJECT, id)).toBeUndefined();
    expect(processesMentioning(path.join(dataDir, "copies", id))).toEqual([]);
  });
});
