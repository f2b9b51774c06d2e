import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDashboardHarness, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { seedCost } from "../test/support/seed-cost.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

describe("the cost API", () => {
  let h: DashboardHarness;
  beforeEach(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }, { name: "acme/web" }] });
  });
  afterEach(async () => h.close());

  it("gives every environment `cost`: null before its first measurement, the figures after, unrounded", async () => {
    const a = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "a" },
      "ready",
      h.now(),
    );
    const b = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "b" },
      "ready",
      h.now(),
    );
    const { cost } = await seedCost(h.registry, a.id, { measuredAt: h.now().toISOString(), last24hUsd: 0.0003 });
    const list = (await h.app.inject("/api/environments")).json() as { environments: { id: string; cost: unknown }[] };
    expect(list.environments.find((e) => e.id === a.id)?.cost).toEqual(cost);
    expect(list.environments.find((e) => e.id === b.id)?.cost).toBeNull();
    expect((await h.app.inject(`/api/environments/${a.id}`)).json().cost.last24hUsd).toBe(0.0003);
    expect((await h.app.inject(`/api/environments/${b.id}`)).json().cost).toBeNull();
  });

  it("GET /api/environments/:id/cost is the stored detail; 404 before a measurement or for no environment", async () => {
    const a = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "a" },
      "ready",
      h.now(),
    );
    expect((await h.app.inject(`/api/environments/${a.id}/cost`)).statusCode).toBe(404);
    const { detail } = await seedCost(h.registry, a.id, { measuredAt: h.now().toISOString() }, [0.001, 0.0002]);
    const response = await h.app.inject(`/api/environments/${a.id}/cost`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(detail);
    const missing = await h.app.inject("/api/environments/nope/cost");
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, "NOT_FOUND"]);
  });

  it("GET /api/cost sums per repository or owner and over all, counting the measured", async () => {
    const at = h.now();
    const api1 = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "a" },
      "ready",
      at,
    );
    const api2 = await seedEnvironment(
      h.registry,
      { kind: "sandbox", repository: "acme/api", owner: "ann", branch: "main" },
      "ready",
      at,
    );
    const web = await seedEnvironment(
      h.registry,
      { kind: "sandbox", repository: "acme/web", owner: "ann", branch: "main" },
      "ready",
      at,
    );
    await seedEnvironment(h.registry, { kind: "branch", repository: "acme/web", branch: "never" }, "ready", at);
    const measuredAt = at.toISOString();
    await seedCost(h.registry, api1.id, {
      measuredAt,
      last30dUsd: 0.5,
      lifeUsd: 1,
      idleMonthlyUsd: 0.01,
      alwaysOnMonthlyUsd: 7,
    });
    await seedCost(h.registry, api2.id, {
      measuredAt,
      last30dUsd: 0.25,
      lifeUsd: 0.5,
      last24hUsd: 0.0004,
      estimated: true,
    });
    await seedCost(h.registry, web.id, { measuredAt, last30dUsd: 2, lifeUsd: 2 });

    const byRepository = (await h.app.inject("/api/cost")).json();
    expect(byRepository.by).toBe("repository");
    expect(byRepository.groups.map((g: { key: string }) => g.key)).toEqual(["acme/web", "acme/api"]);
    const api = byRepository.groups[1];
    expect(api).toMatchObject({
      count: 2,
      measured: 2,
      last30dUsd: 0.75,
      lifeUsd: 1.5,
      last24hUsd: 0.0004,
      estimated: true,
    });
    expect(byRepository.groups[0]).toMatchObject({ count: 2, measured: 1, last30dUsd: 2 });
    expect(byRepository.total).toMatchObject({
      count: 4,
      measured: 3,
      last30dUsd: 2.75,
      lifeUsd: 3.5,
      idleMonthlyUsd: 0.01,
    });
    expect(byRepository.total.alwaysOnMonthlyUsd).toBeCloseTo(7 + 3 + 3, 10);

    const byOwner = (await h.app.inject("/api/cost?by=owner")).json();
    expect(byOwner.groups.map((g: { key: string; count: number }) => [g.key, g.count])).toEqual([
      ["ann", 2],
      ["", 2],
    ]);
    const bad = await h.app.inject("/api/cost?by=branch");
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, "INVALID_INPUT"]);
  });
});
