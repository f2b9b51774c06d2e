import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import type { MeasuredUsage } from "../core/environment-cost.ts";
import type { Registry } from "../registry/registry.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createCostMeasurer } from "./create-cost-measurer.ts";
import { IDLE_REMEASURE_MS } from "./decide-costs-due.ts";
import { noUsage } from "./no-usage.ts";
import { PRICE_TABLE } from "./price-table.ts";
import type { UsageSource } from "./usage-source.ts";

const t0 = new Date("2030-01-01T00:00:00.000Z");
const HOUR = 3_600_000;

/** A source that measures what `usage` says, and remembers whom it was asked about. */
function scriptedSource(usage: (e: Environment) => MeasuredUsage | undefined) {
  const asked: string[][] = [];
  const source: UsageSource = {
    async measure(environments) {
      asked.push(environments.map((e) => e.name));
      const measured = new Map<string, MeasuredUsage>();
      for (const e of environments) {
        const u = usage(e);
        if (u) measured.set(e.id, u);
      }
      return measured;
    },
  };
  return { source, asked };
}

const busy = (region = "us-east-1"): MeasuredUsage => {
  const used = { ...noUsage(), lambdaRequests: 100, apiRequests: 100 };
  return {
    last24h: used,
    last30d: used,
    life: used,
    daily: [],
    stored: { dynamoBytes: 0, logBytes: 0, stateBytes: 0 },
    region,
    estimated: false,
  };
};
const idle = (): MeasuredUsage => ({ ...busy(), last24h: noUsage(), last30d: noUsage(), life: noUsage() });

describe("createCostMeasurer", () => {
  let dir: string;
  let registry: Registry;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-cost-"));
    registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  });
  afterEach(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("measures busy copies every interval and idle ones weekly, and runs at most once per interval", async () => {
    const a = await registry.ensureEnvironment(
      { kind: "branch", repository: "acme/api", branch: "busy" },
      { status: "queued", now: t0 },
    );
    const b = await registry.ensureEnvironment(
      { kind: "branch", repository: "acme/api", branch: "idle" },
      { status: "queued", now: t0 },
    );
    let now = new Date(t0.getTime() + HOUR);
    const { source, asked } = scriptedSource((e) => (e.id === a.id ? busy() : idle()));
    const measure = createCostMeasurer({
      registry,
      sources: [source],
      priceTable: PRICE_TABLE,
      intervalSeconds: 3600,
      log: createRecordingLogger(),
      now: () => now,
    });

    expect(await measure()).toEqual({ due: 2, measured: 2, failed: [] });
    expect((await registry.getEnvironment(b.id))?.cost?.last24hUsd).toBe(0);
    expect((await registry.getEnvironment(a.id))?.cost?.last24hUsd).toBeGreaterThan(0);
    now = new Date(now.getTime() + 30 * 60_000);
    expect(await measure()).toBeUndefined(); // half an interval: not yet
    now = new Date(now.getTime() + 30 * 60_000);
    expect(await measure()).toEqual({ due: 1, measured: 1, failed: [] });
    expect(asked.at(-1)).toEqual([a.name]);
    now = new Date(t0.getTime() + HOUR + IDLE_REMEASURE_MS);
    await measure();
    expect(asked.at(-1)?.sort()).toEqual([a.name, b.name].sort());
  });

  it("a copy CloudWatch says is active now is measured within the interval; a changed one at once", async () => {
    const b = await registry.ensureEnvironment(
      { kind: "branch", repository: "acme/api", branch: "idle" },
      { status: "queued", now: t0 },
    );
    let now = new Date(t0.getTime() + HOUR);
    const active = new Set<string>();
    const { source, asked } = scriptedSource(() => idle());
    const measure = createCostMeasurer({
      registry,
      sources: [source],
      priceTable: PRICE_TABLE,
      intervalSeconds: 3600,
      findActive: async () => active,
      log: createRecordingLogger(),
      now: () => now,
    });
    await measure();
    now = new Date(now.getTime() + HOUR);
    expect((await measure())?.due).toBe(0);
    active.add(b.name);
    now = new Date(now.getTime() + HOUR);
    expect((await measure())?.due).toBe(1);
    active.clear();
    await registry.updateEnvironment(b.id, { status: "deploying" }, new Date(now.getTime() + 1000));
    now = new Date(now.getTime() + HOUR);
    expect((await measure())?.due).toBe(1);
    expect(asked).toHaveLength(3);
  });

  it("the first source to measure a copy wins; a region the table lacks is reported, the others stored", async () => {
    const a = await registry.ensureEnvironment(
      { kind: "branch", repository: "acme/api", branch: "a" },
      { status: "queued", now: t0 },
    );
    const b = await registry.ensureEnvironment(
      { kind: "branch", repository: "acme/api", branch: "b" },
      { status: "queued", now: t0 },
    );
    const first = scriptedSource((e) => (e.id === a.id ? busy("ap-south-2") : undefined));
    const second = scriptedSource(() => ({ ...idle(), estimated: true }));
    const measure = createCostMeasurer({
      registry,
      sources: [first.source, second.source],
      priceTable: PRICE_TABLE,
      intervalSeconds: 3600,
      costExplorer: async () => new Map([[b.name, { last30dUsd: 0.42, through: "2029-12-31" }]]),
      log: createRecordingLogger(),
      now: () => new Date(t0.getTime() + HOUR),
    });
    expect(await measure()).toEqual({
      due: 2,
      measured: 1,
      failed: [{ environment: a.id, code: "PRICE_REGION_MISSING" }],
    });
    expect(second.asked).toEqual([[b.name]]);
    expect((await registry.getEnvironment(a.id))?.cost).toBeUndefined();
    expect((await registry.getEnvironment(b.id))?.cost?.estimated).toBe(true);
    expect((await registry.readCostDetail(b.id))?.costExplorer).toEqual({ last30dUsd: 0.42, through: "2029-12-31" });
  });
});
