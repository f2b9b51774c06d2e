/**
 * What a copy used over a window, in the units AWS bills (issue 21). A copy on AWS: read from
 * CloudWatch and the services' describe calls; a copy on this machine: counted by its own handler.
 */
export interface Usage {
  lambdaRequests: number;
  lambdaGbSeconds: number;
  apiRequests: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  /** Log bytes ingested over the window. */
  logIngestedBytes: number;
}

/** What a copy keeps stored now: billed per month whether or not anyone uses it (its idle cost). */
export interface StoredBytes {
  dynamoBytes: number;
  logBytes: number;
  /** The copy's share of the state bucket (its stack's state and artifacts). */
  stateBytes: number;
}

/**
 * The `cost` field of the Environment JSON (the external contract): US dollars, unrounded;
 * `estimated` for copies on this machine (what the same traffic would cost on AWS).
 */
export interface EnvironmentCost {
  idleMonthlyUsd: number;
  last24hUsd: number;
  last30dUsd: number;
  lifeUsd: number;
  alwaysOnMonthlyUsd: number;
  estimated: boolean;
  /** ISO 8601 */
  measuredAt: string;
}

/** What a measurement keeps beside the figures: the chart and the breakdown of an environment's page. */
export interface CostDetail {
  /** Oldest first, one entry per UTC day of the last 30 (days with no cost included, at 0). */
  daily: { day: string; usd: number }[];
  last24h: Usage;
  last30d: Usage;
  stored: StoredBytes;
  /** The price table's region and date the figures were priced with. */
  pricedWith: { region: string; takenAt: string };
  /** Cost Explorer's figure by cost-allocation tags, when the operator turned it on (lags about a day). */
  costExplorer?: { last30dUsd: number; through: string };
}

/** A copy's usage as a source measured it, before pricing: the same shape from CloudWatch or a local copy. */
export interface MeasuredUsage {
  last24h: Usage;
  last30d: Usage;
  /** Since the copy was created (CloudWatch keeps 15 months; older usage is counted as lost, not guessed). */
  life: Usage;
  /** Oldest first, one entry per UTC day (`YYYY-MM-DD`) of the last 30. */
  daily: { day: string; usage: Usage }[];
  stored: StoredBytes;
  /** The AWS region its resources are in (a local copy: the region it would be priced in). */
  region: string;
  /** A local copy's figures: what the same traffic would cost on AWS. */
  estimated: boolean;
}
