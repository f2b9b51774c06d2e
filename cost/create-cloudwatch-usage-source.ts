import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { GetFunctionConfigurationCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { TaggedResource } from "../aws/list-tagged-resources.ts";
import type { Environment } from "../core/environment.ts";
import type { MeasuredUsage, StoredBytes, Usage } from "../core/environment-cost.ts";
import type { CostStore } from "../registry/cost-store.ts";
import { addUsage } from "./add-usage.ts";
import { buildMetricQueries, type MetricQuery } from "./build-metric-queries.ts";
import { type CloudWatchCallCount, fetchDailyMetricSums } from "./fetch-daily-metric-sums.ts";
import { groupCopyResources } from "./group-copy-resources.ts";
import { noUsage } from "./no-usage.ts";
import { readStoredBytes, type StoredBytesClients } from "./read-stored-bytes.ts";
import type { UsageSource } from "./usage-source.ts";

export interface CloudWatchUsageSourceDeps extends StoredBytesClients {
  cloudwatch: Pick<CloudWatchClient, "send">;
  lambda: Pick<LambdaClient, "send">;
  /** The region the clients (and so the copies: they live in the platform's) are in. */
  region: string;
  /** Which environments are copies on AWS (their repository's target). */
  isOnAws: (environment: Environment) => boolean;
  /** Every resource tagged by a copy (the Tagging API: one paged call for all environments). */
  listCopyResources: () => Promise<TaggedResource[]>;
  /** The state bucket and the prefixes of an environment's objects in it; undefined: state not on S3. */
  stateObjects?: (environment: Environment) => { bucket: string; prefixes: string[] };
  /** The last measurement's stored bytes are reused for the state until the environment changes. */
  costs: Pick<CostStore, "readCostDetail">;
  /** Added to as the run calls CloudWatch (the bench and the README's figures). */
  count: CloudWatchCallCount;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** CloudWatch keeps hourly data 455 days (15 months): older usage is lost, not guessed. */
const MAX_DAYS = 455;
/** Copies whose stored bytes are read at once (each a few describe calls). */
const STORED_READS_AT_ONCE = 8;
/** Lambda's default memory, for a function that cannot be described (gone, or not ours to read). */
const DEFAULT_MEMORY_MB = 128;

/**
 * Usage of copies on AWS from CloudWatch (GetMetricData, 500 metrics a request, all environments
 * of the run together) and the services' describe calls. One series per metric: daily sums over a
 * window ending at the last full hour and reaching back to the oldest copy's creation (30 days at
 * least, 455 at most), so the last bucket is the last 24 hours, the last 30 are the chart, and the
 * copy's buckets since its creation are its life.
 */
export function createCloudWatchUsageSource(deps: CloudWatchUsageSourceDeps): UsageSource {
  const memory = new Map<string, number>();
  return {
    async measure(environments, now) {
      const measured = new Map<string, MeasuredUsage>();
      const copies = environments.filter(deps.isOnAws);
      if (copies.length === 0) return measured;
      const resources = groupCopyResources(copies, await deps.listCopyResources());
      const end = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
      const oldest = Math.min(...copies.map((c) => Date.parse(c.createdAt)));
      const days = Math.min(MAX_DAYS, Math.max(30, Math.ceil((end - oldest) / DAY_MS)));
      const start = new Date(end - days * DAY_MS);

      const queries: MetricQuery[] = [];
      const owned = new Map<string, [number, number]>();
      for (const copy of copies) {
        const own = buildMetricQueries(
          resources.get(copy.id) ?? { functions: [], apis: [], tables: [], logGroups: [] },
        );
        owned.set(copy.id, [queries.length, queries.length + own.length]);
        queries.push(...own);
      }
      const sums = await fetchDailyMetricSums(deps.cloudwatch, queries, { start, days }, deps.count);
      // Describe calls are one per resource: a few at once, not 2,000 in a row.
      const stored = await mapPooled(copies, STORED_READS_AT_ONCE, (copy) =>
        storedBytesOf(copy, resources.get(copy.id)),
      );

      for (const [index, copy] of copies.entries()) {
        const [from, to] = owned.get(copy.id) as [number, number];
        const buckets = Array.from({ length: days }, () => noUsage());
        for (let q = from; q < to; q++) {
          const query = queries[q] as MetricQuery;
          const row = sums[q] as number[];
          const perMs = query.functionName ? (await gigabytesOf(query.functionName, row)) / 1000 : 1;
          row.forEach((value, b) => {
            const usage = buckets[b] as Usage;
            if (query.field === "durationMs") usage.lambdaGbSeconds += value * perMs;
            else usage[query.field] += value;
          });
        }
        const created = Date.parse(copy.createdAt);
        const bucketEnd = (b: number) => start.getTime() + (b + 1) * DAY_MS;
        const recent = buckets.slice(-30);
        measured.set(copy.id, {
          last24h: buckets[days - 1] as Usage,
          last30d: recent.reduce(addUsage, noUsage()),
          life: buckets.filter((_, b) => bucketEnd(b) > created).reduce(addUsage, noUsage()),
          // Each day is the 24 hours ending at the run's hour on that UTC date.
          daily: recent.map((usage, i) => ({
            day: new Date(bucketEnd(days - 30 + i) - 1).toISOString().slice(0, 10),
            usage,
          })),
          stored: stored[index] as StoredBytes,
          region: deps.region,
          estimated: false,
        });
      }
      return measured;
    },
  };

  /** GB of memory of a function whose Duration is not all zero (no call for an idle one). */
  async function gigabytesOf(functionName: string, durations: readonly number[]): Promise<number> {
    if (!durations.some((d) => d > 0)) return 0;
    let mb = memory.get(functionName);
    if (mb === undefined) {
      try {
        const config = await deps.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
        mb = config.MemorySize ?? DEFAULT_MEMORY_MB;
      } catch {
        mb = DEFAULT_MEMORY_MB;
      }
      memory.set(functionName, mb);
    }
    return mb / 1024;
  }

  /** The state's objects are listed again only when the environment changed since its last measurement. */
  async function storedBytesOf(
    copy: Environment,
    resources: Parameters<typeof readStoredBytes>[1] | undefined,
  ): Promise<StoredBytes> {
    const own = resources ?? { functions: [], apis: [], tables: [], logGroups: [] };
    const unchanged = copy.cost && Date.parse(copy.updatedAt) <= Date.parse(copy.cost.measuredAt);
    const previous = unchanged ? (await deps.costs.readCostDetail(copy.id))?.stored : undefined;
    const stored = await readStoredBytes(deps, own, previous ? undefined : deps.stateObjects?.(copy));
    return previous ? { ...stored, stateBytes: previous.stateBytes } : stored;
  }
}

/** `map` with at most `limit` calls in flight, results in input order. */
async function mapPooled<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
