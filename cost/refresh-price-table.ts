import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { findListPrice, type PriceListFile } from "./find-list-price.ts";
import { PRICE_LIST_RULES } from "./price-list-rules.ts";
import { PRICE_KEYS, PRICE_TABLE, type PriceTable, type RegionPrices } from "./price-table.ts";

/**
 * `npm run cost:refresh-prices [-- --region <r> ...]`: every price of the table (or of the regions
 * named, which may be new ones) read again from AWS's public price list files, written back to
 * cost/price-table.json with each file's URL and today's date. Where the files cannot be reached,
 * it says so and changes nothing: the committed table stays as it was.
 */
const PRICE_LIST = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws";
const TABLE_FILE = new URL("./price-table.json", import.meta.url);

const { values } = parseArgs({ options: { region: { type: "string", multiple: true } } });
const regions = values.region ?? Object.keys(PRICE_TABLE.regions);
const today = new Date().toISOString().slice(0, 10);
const files = new Map<string, Promise<PriceListFile>>();

async function readPriceList(service: string, region: string): Promise<PriceListFile> {
  const url = `${PRICE_LIST}/${service}/current/${region}/index.json`;
  let file = files.get(url);
  if (!file) {
    file = fetch(url, { signal: AbortSignal.timeout(120_000) }).then(async (response) => {
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return (await response.json()) as PriceListFile;
    });
    files.set(url, file);
  }
  return file;
}

const refreshed: Record<string, RegionPrices> = { ...PRICE_TABLE.regions };
const problems: string[] = [];
for (const region of regions) {
  const prices: Partial<RegionPrices> = {};
  for (const key of PRICE_KEYS) {
    const rule = PRICE_LIST_RULES[key];
    const source = `${PRICE_LIST}/${rule.service}/current/${region}/index.json`;
    let file: PriceListFile;
    try {
      file = await readPriceList(rule.service, region);
    } catch (err) {
      console.error(
        `AWS's price list cannot be reached (${(err as Error).cause ?? (err as Error).message}): ${source}\n` +
          "cost/price-table.json is left as committed; run this where https://pricing.us-east-1.amazonaws.com is reachable.",
      );
      process.exit(1);
    }
    const found = findListPrice(file, rule);
    if (!found) problems.push(`${region}.${key}: no single product in ${source} matches ${JSON.stringify(rule)}`);
    else prices[key] = { usd: found.usd, unit: found.unit, source, takenAt: today };
  }
  refreshed[region] = prices as RegionPrices;
}
if (problems.length > 0) {
  console.error(`Not written: ${problems.length} prices not found.\n${problems.join("\n")}`);
  process.exit(1);
}
const table: PriceTable = {
  ...PRICE_TABLE,
  // The table's date is its oldest price's: regions not named keep theirs.
  takenAt: Object.values(refreshed)
    .flatMap((prices) => Object.values(prices).map((price) => price.takenAt))
    .sort()[0] as string,
  method: "read from AWS's public price list files by cost/refresh-price-table.ts (the first paid tier)",
  regions: refreshed,
};
writeFileSync(TABLE_FILE, `${JSON.stringify(table, null, 2)}\n`);
console.log(`cost/price-table.json: ${regions.join(", ")} refreshed (${today})`);
