import { describe, expect, it } from "vitest";
import { StackforkError } from "../core/errors.ts";
import { createCostMeasurer } from "../cost/create-cost-measurer.ts";
import { noUsage } from "../cost/no-usage.ts";
import { PRICE_TABLE } from "../cost/price-table.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { runMaintenance } from "./run-maintenance.ts";

describe("runMaintenance's cost step", () => {
  const stores = useSqliteStores();
  const now = new Date("2030-01-01T12:00:00Z");

  it("measures and stores costs with the other steps, and reports what it did", async () => {
    const env = await stores.registry.ensureEnvironment(
      { kind: "branch", repository: "acme/api", branch: "a" },
      { status: "queued", now },
    );
    const measureCosts = createCostMeasurer({
      registry: stores.registry,
      sources: [
        {
          measure: async (environments) =>
            new Map(
              environments.map((e) => [
                e.id,
                {
                  last24h: noUsage(),
                  last30d: noUsage(),
                  life: noUsage(),
                  daily: [],
                  stored: { dynamoBytes: 0, logBytes: 0, stateBytes: 1 },
                  region: "us-east-1",
                  estimated: false,
                },
              ]),
            ),
        },
      ],
      priceTable: PRICE_TABLE,
      intervalSeconds: 3600,
      log: createRecordingLogger(),
      now: () => now,
    });
    const deps = { ...stores, nameMaxLength: 40, log: createRecordingLogger(), now: () => now, measureCosts };
    const report = await runMaintenance(deps);
    expect(report.costs).toEqual({ due: 1, measured: 1, failed: [] });
    expect(report.errors).toEqual([]);
    expect((await stores.registry.getEnvironment(env.id))?.cost?.idleMonthlyUsd).toBeGreaterThan(0);
    // Within the interval the step does nothing, and says nothing.
    expect((await runMaintenance(deps)).costs).toBeUndefined();
  });

  it("a failing cost step is reported with its code; the other steps still ran", async () => {
    const report = await runMaintenance({
      ...stores,
      nameMaxLength: 40,
      log: createRecordingLogger(),
      now: () => now,
      measureCosts: async () => {
        throw new StackforkError("AWS_UNAVAILABLE", "CloudWatch could not be reached");
      },
    });
    expect(report.errors).toEqual([
      { step: "cost", code: "AWS_UNAVAILABLE", message: "CloudWatch could not be reached" },
    ]);
    expect(report.expired).toEqual([]);
  });
});
