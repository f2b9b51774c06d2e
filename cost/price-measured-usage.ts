import type { CostDetail, EnvironmentCost, MeasuredUsage, StoredBytes, Usage } from "../core/environment-cost.ts";
import { StackforkError } from "../core/errors.ts";
import type { PriceTable, RegionPrices } from "./price-table.ts";

/** AWS bills storage per GB of 2^30 bytes. */
const GIGABYTE = 2 ** 30;
/** AWS prices a month as 730 hours (its pricing pages and calculator). */
const HOURS_PER_MONTH = 730;

/**
 * A measured usage priced with the table's region: what it cost over the last 24 hours, 30 days and
 * its life, and what it costs idle (storage only) and would cost always on. Storage is priced at
 * today's size over each window (its past sizes are not kept). Nothing is rounded: a copy that cost
 * $0.0003 says so. A region the table lacks throws PRICE_REGION_MISSING: a guessed price is worse
 * than none.
 */
export function priceMeasuredUsage(
  measured: MeasuredUsage,
  table: PriceTable,
  context: { createdAt: string; now: Date },
): { cost: EnvironmentCost; detail: CostDetail } {
  const prices = table.regions[measured.region];
  if (!prices) {
    throw new StackforkError(
      "PRICE_REGION_MISSING",
      `The price table has no prices for ${measured.region} (it has ${Object.keys(table.regions).join(", ")}): run \`npm run cost:refresh-prices -- --region ${measured.region}\`.`,
      { details: { region: measured.region } },
    );
  }
  const idleMonthlyUsd = priceStored(measured.stored, prices);
  const idleOver = (hours: number) => (idleMonthlyUsd * hours) / HOURS_PER_MONTH;
  const lifeHours = Math.max(0, (context.now.getTime() - Date.parse(context.createdAt)) / 3_600_000);
  const cost: EnvironmentCost = {
    idleMonthlyUsd,
    // A copy younger than a window was stored only over its life: never more idle than that.
    last24hUsd: priceUsage(measured.last24h, prices) + idleOver(Math.min(lifeHours, 24)),
    last30dUsd: priceUsage(measured.last30d, prices) + idleOver(Math.min(lifeHours, 720)),
    lifeUsd: priceUsage(measured.life, prices) + idleOver(lifeHours),
    alwaysOnMonthlyUsd: priceAlwaysOn(table, prices),
    estimated: measured.estimated,
    measuredAt: context.now.toISOString(),
  };
  const detail: CostDetail = {
    daily: measured.daily.map(({ day, usage }) => ({
      day,
      usd: priceUsage(usage, prices) + idleOver(storedHoursOf(day, context.createdAt, context.now)),
    })),
    last24h: measured.last24h,
    last30d: measured.last30d,
    stored: measured.stored,
    pricedWith: { region: measured.region, takenAt: table.takenAt },
  };
  return { cost, detail };
}

/** Requests and compute; API requests at the HTTP API's price (what copies of the service stack use). */
export function priceUsage(usage: Usage, prices: RegionPrices): number {
  return (
    usage.lambdaRequests * prices.lambdaRequest.usd +
    usage.lambdaGbSeconds * prices.lambdaGbSecond.usd +
    usage.apiRequests * prices.httpApiRequest.usd +
    usage.dynamoReadUnits * prices.dynamoReadUnit.usd +
    usage.dynamoWriteUnits * prices.dynamoWriteUnit.usd +
    (usage.logIngestedBytes / GIGABYTE) * prices.logIngestionGb.usd
  );
}

/** Per month: what the copy's stored bytes cost with no traffic at all. */
function priceStored(stored: StoredBytes, prices: RegionPrices): number {
  return (
    (stored.dynamoBytes / GIGABYTE) * prices.dynamoStorageGbMonth.usd +
    (stored.logBytes / GIGABYTE) * prices.logStorageGbMonth.usd +
    (stored.stateBytes / GIGABYTE) * prices.s3StandardGbMonth.usd
  );
}

/** Per month: the smallest instance that could serve the copy, on all the time (table.alwaysOn). */
function priceAlwaysOn(table: PriceTable, prices: RegionPrices): number {
  const { publicIpv4, ebsGb } = table.alwaysOn;
  return (
    (prices.instanceHour.usd + publicIpv4 * prices.publicIpv4Hour.usd) * HOURS_PER_MONTH + ebsGb * prices.ebsGbMonth.usd
  );
}

/** The hours of a UTC day (`YYYY-MM-DD`) the copy existed: none before it was created, up to now today. */
function storedHoursOf(day: string, createdAt: string, now: Date): number {
  const start = Math.max(Date.parse(`${day}T00:00:00Z`), Date.parse(createdAt));
  const end = Math.min(Date.parse(`${day}T00:00:00Z`) + 86_400_000, now.getTime());
  return Math.max(0, (end - start) / 3_600_000);
}
