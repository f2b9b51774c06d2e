/**
 * The file a local copy's harness keeps its usage in (`usage.json` in the copy's data dir), one
 * entry per UTC hour. The platform reads it (cost/local-usage-source.ts) to estimate what the same
 * traffic would have cost on AWS. Version 1; a reader treats anything else as unreadable.
 */
export interface UsageCountersFile {
  version: 1;
  /** Oldest first; at most USAGE_HOURS_KEPT of them. */
  hours: HourUsage[];
  /** The sum of every hour dropped from `hours`: a copy's life beyond the kept month. */
  before: UsageTotals;
  /** The items table's size, billed per GB-month whether or not anyone calls the copy. */
  storedBytes: number;
  /** ISO 8601: when `storedBytes` was measured. */
  storedAt?: string;
}

export interface UsageTotals {
  requests: number;
  /** Each request's duration rounded up to the millisecond, as Lambda bills it. */
  billedMs: number;
  /** DynamoDB on-demand read request units: 1 per 4 KB strongly consistent, half that eventually consistent. */
  readUnits: number;
  /** DynamoDB on-demand write request units: 1 per KB written. */
  writeUnits: number;
}

export interface HourUsage extends UsageTotals {
  /** `YYYY-MM-DDTHH`, UTC. */
  hour: string;
}

/** 31 days of hours: the last 30 days whole whatever the hour, and a bounded file. */
export const USAGE_HOURS_KEPT = 31 * 24;

export const USAGE_COUNTERS_FILE_NAME = "usage.json";

export function emptyTotals(): UsageTotals {
  return { requests: 0, billedMs: 0, readUnits: 0, writeUnits: 0 };
}

/** The UTC hour a moment falls in, as the file names it. */
export function hourOf(date: Date): string {
  return date.toISOString().slice(0, 13);
}
