import { describe, expect, it } from "vitest";
import { PRICE_KEYS, PRICE_TABLE } from "./price-table.ts";

const REQUIRED_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"];
/** Prices change; a table older than this is refreshed before it misleads anyone. */
const MAX_AGE_DAYS = 400;

describe("the committed price table", () => {
  it("has every price of every required region, each with its source and date", () => {
    expect(Object.keys(PRICE_TABLE.regions)).toEqual(expect.arrayContaining(REQUIRED_REGIONS));
    for (const [region, prices] of Object.entries(PRICE_TABLE.regions)) {
      expect(Object.keys(prices).sort(), region).toEqual([...PRICE_KEYS].sort());
      for (const key of PRICE_KEYS) {
        const price = prices[key];
        expect(Number.isFinite(price.usd) && price.usd > 0, `${region}.${key}.usd`).toBe(true);
        expect(price.source, `${region}.${key}.source`).toMatch(/^https:\/\/aws\.amazon\.com\//);
        expect(price.takenAt, `${region}.${key}.takenAt`).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(price.takenAt >= PRICE_TABLE.takenAt, `${region}.${key}: older than the table's date`).toBe(true);
      }
    }
    expect(PRICE_TABLE.alwaysOn.ebsGb).toBeGreaterThan(0);
  });

  it(`was taken less than ${MAX_AGE_DAYS} days ago`, () => {
    const ageDays = (Date.now() - Date.parse(`${PRICE_TABLE.takenAt}T00:00:00Z`)) / 86_400_000;
    expect(
      ageDays,
      `cost/price-table.json was taken on ${PRICE_TABLE.takenAt}: run \`npm run cost:refresh-prices\` where AWS's price list files can be reached, and commit the result`,
    ).toBeLessThan(MAX_AGE_DAYS);
  });
});
