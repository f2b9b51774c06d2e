import table from "./price-table.json" with { type: "json" };

/** One price: US dollars per unit, where it was read and when. */
export interface Price {
  usd: number;
  unit: string;
  source: string;
  /** `YYYY-MM-DD` */
  takenAt: string;
}

/** The prices of one region, in the units `Usage` and `StoredBytes` count. */
export interface RegionPrices {
  lambdaRequest: Price;
  lambdaGbSecond: Price;
  httpApiRequest: Price;
  restApiRequest: Price;
  dynamoReadUnit: Price;
  dynamoWriteUnit: Price;
  dynamoStorageGbMonth: Price;
  logIngestionGb: Price;
  logStorageGbMonth: Price;
  s3StandardGbMonth: Price;
  instanceHour: Price;
  publicIpv4Hour: Price;
  ebsGbMonth: Price;
}

/** The price table kept in the project (cost/price-table.json), refreshed by cost/refresh-price-table.ts. */
export interface PriceTable {
  /** `YYYY-MM-DD`: the oldest price's date. */
  takenAt: string;
  method: string;
  currency: "USD";
  gigabyte: string;
  /** The always-on comparison: the smallest instance that could serve a copy. */
  alwaysOn: { instance: string; publicIpv4: number; ebsGb: number; why: string };
  regions: Record<string, RegionPrices>;
}

/** The committed table. */
export const PRICE_TABLE: PriceTable = table as PriceTable;

/** The price keys every region must have (the table's test checks each one). */
export const PRICE_KEYS: readonly (keyof RegionPrices)[] = [
  "lambdaRequest",
  "lambdaGbSecond",
  "httpApiRequest",
  "restApiRequest",
  "dynamoReadUnit",
  "dynamoWriteUnit",
  "dynamoStorageGbMonth",
  "logIngestionGb",
  "logStorageGbMonth",
  "s3StandardGbMonth",
  "instanceHour",
  "publicIpv4Hour",
  "ebsGbMonth",
];
