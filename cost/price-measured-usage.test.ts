import { describe, expect, it } from "vitest";
import type { MeasuredUsage, Usage } from "../core/environment-cost.ts";
import { isStackforkError } from "../core/errors.ts";
import { noUsage } from "./no-usage.ts";
import { priceMeasuredUsage } from "./price-measured-usage.ts";
import { PRICE_TABLE, type RegionPrices } from "./price-table.ts";

const GB = 2 ** 30;
const now = new Date("2026-12-07T12:00:00Z");
const us = PRICE_TABLE.regions["us-east-1"] as RegionPrices;

function measured(overrides: Partial<MeasuredUsage> = {}): MeasuredUsage {
  return {
    last24h: noUsage(),
    last30d: noUsage(),
    life: noUsage(),
    daily: [],
    stored: { dynamoBytes: 0, logBytes: 0, stateBytes: 0 },
    region: "us-east-1",
    estimated: false,
    ...overrides,
  };
}

describe("priceMeasuredUsage", () => {
  it("prices requests, compute, request units and log ingestion with the region's prices, unrounded", () => {
    const usage: Usage = {
      lambdaRequests: 1000,
      lambdaGbSeconds: 50,
      apiRequests: 1000,
      dynamoReadUnits: 400,
      dynamoWriteUnits: 200,
      logIngestedBytes: GB / 1024,
    };
    const { cost } = priceMeasuredUsage(measured({ last24h: usage, last30d: usage, life: usage }), PRICE_TABLE, {
      createdAt: "2026-12-07T00:00:00Z",
      now,
    });
    const expected =
      1000 * us.lambdaRequest.usd +
      50 * us.lambdaGbSecond.usd +
      1000 * us.httpApiRequest.usd +
      400 * us.dynamoReadUnit.usd +
      200 * us.dynamoWriteUnit.usd +
      us.logIngestionGb.usd / 1024;
    expect(cost.last24hUsd).toBeCloseTo(expected, 12);
    expect(cost.last24hUsd).toBeGreaterThan(0);
    expect(cost.last24hUsd).toBeLessThan(0.01); // sub-cent, kept as it is
    expect(cost.lifeUsd).toBeCloseTo(expected, 12);
    expect(cost.idleMonthlyUsd).toBe(0);
    expect(cost.estimated).toBe(false);
    expect(cost.measuredAt).toBe(now.toISOString());
  });

  it("an idle copy costs its storage: per month, and pro rata over each window", () => {
    const stored = { dynamoBytes: GB, logBytes: GB, stateBytes: GB };
    const { cost, detail } = priceMeasuredUsage(
      measured({ stored, daily: [{ day: "2026-12-07", usage: noUsage() }] }),
      PRICE_TABLE,
      { createdAt: "2026-11-07T12:00:00Z", now },
    );
    const monthly = us.dynamoStorageGbMonth.usd + us.logStorageGbMonth.usd + us.s3StandardGbMonth.usd;
    expect(cost.idleMonthlyUsd).toBeCloseTo(monthly, 12);
    expect(cost.last24hUsd).toBeCloseTo((monthly * 24) / 730, 12);
    expect(cost.last30dUsd).toBeCloseTo((monthly * 720) / 730, 12);
    // Today so far: twelve hours of it (now is noon).
    expect(detail.daily).toEqual([{ day: "2026-12-07", usd: (monthly * 12) / 730 }]);
    expect(detail.pricedWith).toEqual({ region: "us-east-1", takenAt: PRICE_TABLE.takenAt });
  });

  it("a copy younger than a day is charged its storage over its life only, in every window and day", () => {
    const stored = { dynamoBytes: GB, logBytes: GB, stateBytes: GB };
    const days = ["2026-12-06", "2026-12-07"].map((day) => ({ day, usage: noUsage() }));
    const { cost, detail } = priceMeasuredUsage(measured({ stored, daily: days }), PRICE_TABLE, {
      createdAt: "2026-12-07T06:00:00Z",
      now,
    });
    const monthly = us.dynamoStorageGbMonth.usd + us.logStorageGbMonth.usd + us.s3StandardGbMonth.usd;
    expect(cost.last24hUsd).toBeCloseTo((monthly * 6) / 730, 12);
    expect(cost.last24hUsd).toBeCloseTo(cost.lifeUsd, 12);
    expect(cost.last30dUsd).toBeCloseTo(cost.lifeUsd, 12);
    expect(detail.daily.map((d) => d.usd)).toEqual([0, (monthly * 6) / 730]);
  });

  it("a copy with nothing stored and no traffic costs zero, said as zero", () => {
    const { cost } = priceMeasuredUsage(measured(), PRICE_TABLE, { createdAt: "2026-12-01T00:00:00Z", now });
    expect([cost.idleMonthlyUsd, cost.last24hUsd, cost.last30dUsd, cost.lifeUsd]).toEqual([0, 0, 0, 0]);
  });

  it("always on: the smallest instance, its address and its volume, for a month", () => {
    const { cost } = priceMeasuredUsage(measured(), PRICE_TABLE, { createdAt: "2026-12-01T00:00:00Z", now });
    const expected = (us.instanceHour.usd + us.publicIpv4Hour.usd) * 730 + 8 * us.ebsGbMonth.usd;
    expect(cost.alwaysOnMonthlyUsd).toBeCloseTo(expected, 10);
  });

  it("a region the table lacks is PRICE_REGION_MISSING, never a guess", () => {
    let caught: unknown;
    try {
      priceMeasuredUsage(measured({ region: "ap-south-2" }), PRICE_TABLE, { createdAt: now.toISOString(), now });
    } catch (err) {
      caught = err;
    }
    expect(isStackforkError(caught, "PRICE_REGION_MISSING")).toBe(true);
  });
});
