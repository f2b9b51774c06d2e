import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { pushPayload } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";

// The whole path for a copy on this machine (issue 21): a real `stackfork serve`, a push deployed by
// the real engine, requests to the copy's own URL, the copy's harness counting them, the
// maintenance run's cost step reading its file, and the figures in the API and on the pages.
describe("what a copy on this machine would cost, end to end", () => {
  let work: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-e2e-cost-"));
    repo = createFixtureRepository(path.join(work, "repo"));
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [{ name: REPO, localPath: repo.dir }],
      // A maintenance run every second, measuring every environment each time.
      extraConfig: { reapIntervalSeconds: 1, costIntervalSeconds: 1 },
    });
  });
  afterAll(async () => {
    await server?.stop();
    // The copy outlives the server (it is detached); on SIGTERM it writes its counters a last time.
    stopProcessesMentioning(work);
    await server?.waitUntilGone(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("counts the requests to the copy's URL and shows them priced as on AWS, marked estimated", async () => {
    const sha = repo.commit("feature/cost", "first");
    const accepted = await server.deliver("push", pushPayload(REPO, "feature/cost", sha));
    const id = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    const ready = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed", 300_000);
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");

    const url = ready.directUrl as string;
    for (let i = 0; i < 5; i++) {
      const created = await fetch(`${url}/items`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `item ${i}`, note: "n".repeat(500) }),
      });
      expect(created.status).toBe(201);
    }
    expect((await fetch(`${url}/items`)).status).toBe(200);

    // Six requests, five writes of about 0.6 KB (1 unit each), a scan: what the harness counted.
    const measured = await server.waitFor(
      id,
      (e) => (e.cost?.last24hUsd ?? 0) > 0 && (e.cost?.idleMonthlyUsd ?? 0) > 0,
      60_000,
    );
    const cost = measured.cost;
    expect(cost?.estimated).toBe(true);
    // 6 x ($0.0000002 + $0.000001) + 5 x $0.000000625 + a little compute: about $0.00001.
    expect(cost?.last24hUsd).toBeGreaterThan(0.000007);
    expect(cost?.last24hUsd).toBeLessThan(0.0001);
    expect(cost?.last30dUsd).toBeGreaterThan(0.000007);
    expect(cost?.alwaysOnMonthlyUsd).toBeGreaterThan(1);

    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const detail = await (await fetch(`${server.baseUrl}/api/environments/${id}/cost`, { headers: auth })).json();
    expect(detail).toMatchObject({ last24h: { apiRequests: 6, lambdaRequests: 6, dynamoWriteUnits: 5 } });
    const page = await (await fetch(`${server.baseUrl}/environments/${id}`, { headers: auth })).text();
    expect(page).toContain('<span class="estimated">estimated</span>');
    expect(page).toMatch(/<svg [^>]*role="img"/);
    const list = await (await fetch(`${server.baseUrl}/?sort=cost`, { headers: auth })).text();
    expect(list).toContain('<abbr class="cost"');
  });
});
