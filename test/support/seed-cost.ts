import type { CostDetail, EnvironmentCost, Usage } from "../../core/environment-cost.ts";
import type { Registry } from "../../registry/registry.ts";

const NO_USAGE: Usage = {
  lambdaRequests: 0,
  lambdaGbSeconds: 0,
  apiRequests: 0,
  dynamoReadUnits: 0,
  dynamoWriteUnits: 0,
  logIngestedBytes: 0,
};

/**
 * A measurement saved through the registry's cost store, as the maintenance run saves one: the
 * figures given (the rest 0) and a daily series of 30 days ending the day of `measuredAt`.
 */
export async function seedCost(
  registry: Pick<Registry, "saveCost">,
  environmentId: string,
  figures: Partial<EnvironmentCost> & { measuredAt: string },
  daily: readonly number[] = [],
): Promise<{ cost: EnvironmentCost; detail: CostDetail }> {
  const cost: EnvironmentCost = {
    idleMonthlyUsd: 0,
    last24hUsd: 0,
    last30dUsd: 0,
    lifeUsd: 0,
    alwaysOnMonthlyUsd: 3.0,
    estimated: false,
    ...figures,
  };
  const end = Date.parse(`${figures.measuredAt.slice(0, 10)}T00:00:00Z`);
  const detail: CostDetail = {
    daily: Array.from({ length: 30 }, (_, i) => ({
      day: new Date(end - (29 - i) * 86_400_000).toISOString().slice(0, 10),
      usd: daily[i - (30 - daily.length)] ?? 0,
    })),
    last24h: { ...NO_USAGE, apiRequests: 12, lambdaRequests: 12 },
    last30d: { ...NO_USAGE, apiRequests: 340, lambdaRequests: 340 },
    stored: { dynamoBytes: 2048, logBytes: 0, stateBytes: 0 },
    pricedWith: { region: "us-east-1", takenAt: "2026-12-07" },
  };
  await registry.saveCost(environmentId, cost, detail);
  return { cost, detail };
}
