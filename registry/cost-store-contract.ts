import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CostDetail, EnvironmentCost } from "../core/environment-cost.ts";
import { isStackforkError } from "../core/errors.ts";
import type { Registry } from "./registry.ts";

const t0 = new Date("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const usage = {
  lambdaRequests: 120,
  lambdaGbSeconds: 3.5,
  apiRequests: 120,
  dynamoReadUnits: 40,
  dynamoWriteUnits: 12,
  logIngestedBytes: 5120,
};
const cost = (measuredAt: Date, last24hUsd = 0.0003): EnvironmentCost => ({
  idleMonthlyUsd: 0.000012,
  last24hUsd,
  last30dUsd: 0.0011,
  lifeUsd: 0.0015,
  alwaysOnMonthlyUsd: 7.35,
  estimated: false,
  measuredAt: measuredAt.toISOString(),
});
const detail: CostDetail = {
  daily: [
    { day: "2029-12-31", usd: 0 },
    { day: "2030-01-01", usd: 0.0003 },
  ],
  last24h: usage,
  last30d: usage,
  stored: { dynamoBytes: 2048, logBytes: 4096, stateBytes: 30_000 },
  pricedWith: { region: "us-east-1", takenAt: "2026-12-07" },
  costExplorer: { last30dUsd: 0.001, through: "2029-12-31" },
};

/**
 * What every registry adapter does with costs (registry/cost-store.ts), through the port only:
 * the figures ride on the environment in every read and listing without moving `updatedAt`, the
 * detail is read apart, an unknown environment is NOT_FOUND.
 */
export function describeCostStoreContract(
  name: string,
  makeRegistry: () => Promise<Registry>,
  options: { reopen: () => Promise<Registry> },
): void {
  describe(`CostStore contract: ${name}`, () => {
    let registry: Registry;
    beforeEach(async () => {
      registry = await makeRegistry();
    });
    afterEach(async () => {
      await registry.close();
    });

    it("has no cost before the first measurement", async () => {
      const env = await registry.ensureEnvironment(
        { kind: "branch", repository: "acme/api", branch: "a" },
        {
          status: "queued",
          now: at(0),
        },
      );
      expect(env.cost).toBeUndefined();
      expect((await registry.getEnvironment(env.id))?.cost).toBeUndefined();
      expect(await registry.readCostDetail(env.id)).toBeUndefined();
    });

    it("a saved cost comes back with getEnvironment and listEnvironments, updatedAt and the order unchanged", async () => {
      const older = await registry.ensureEnvironment(
        { kind: "branch", repository: "acme/api", branch: "old" },
        {
          status: "queued",
          now: at(0),
        },
      );
      const newer = await registry.ensureEnvironment(
        { kind: "branch", repository: "acme/api", branch: "new" },
        {
          status: "queued",
          now: at(10),
        },
      );
      await registry.saveCost(older.id, cost(at(60)), detail);
      const read = await registry.getEnvironment(older.id);
      expect(read?.cost).toEqual(cost(at(60)));
      expect(read?.updatedAt).toBe(older.updatedAt);
      const page = await registry.listEnvironments();
      expect(page.environments.map((e) => e.id)).toEqual([newer.id, older.id]);
      expect(page.environments[1]?.cost).toEqual(cost(at(60)));
      expect(page.environments[0]?.cost).toBeUndefined();
      expect(await registry.readCostDetail(older.id)).toEqual(detail);
    });

    it("a new measurement replaces the last; the cost survives the environment's own changes and a reopen", async () => {
      const env = await registry.ensureEnvironment(
        { kind: "branch", repository: "acme/api", branch: "b" },
        {
          status: "queued",
          now: at(0),
        },
      );
      await registry.saveCost(env.id, cost(at(60)), detail);
      await registry.saveCost(env.id, cost(at(120), 0.5), { ...detail, daily: [] });
      const deploying = await registry.updateEnvironment(env.id, { status: "deploying" }, at(130));
      expect(deploying.cost).toEqual(cost(at(120), 0.5));
      expect(deploying.updatedAt).toBe(at(130).toISOString());
      const reopened = await options.reopen();
      try {
        expect((await reopened.getEnvironment(env.id))?.cost).toEqual(cost(at(120), 0.5));
        expect((await reopened.readCostDetail(env.id))?.daily).toEqual([]);
      } finally {
        await reopened.close();
      }
    });

    it("saving a cost for an unknown environment is NOT_FOUND, and reading its detail is undefined", async () => {
      const error = await registry.saveCost("nope", cost(at(0)), detail).catch((err: unknown) => err);
      expect(isStackforkError(error, "NOT_FOUND")).toBe(true);
      expect(await registry.readCostDetail("nope")).toBeUndefined();
    });
  });
}
