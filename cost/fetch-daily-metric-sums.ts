import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
} from "@aws-sdk/client-cloudwatch";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import type { MetricQuery } from "./build-metric-queries.ts";

/** GetMetricData takes at most 500 queries a request. */
export const METRICS_PER_REQUEST = 500;
const DAY_MS = 86_400_000;

/** What the CloudWatch calls of one run cost: GetMetricData is billed per metric requested. */
export interface CloudWatchCallCount {
  getMetricDataRequests: number;
  metricsRequested: number;
  listMetricsRequests: number;
}

/**
 * Each query's sums per day-long bucket of `[start, start + days × 24 h)`: bucket `days - 1` is the
 * last 24 hours before the end. Many environments' queries share a request, 500 at most; a
 * request's further pages (NextToken) carry no new metrics. A bucket with no data is 0 (CloudWatch
 * returns no point for it).
 */
export async function fetchDailyMetricSums(
  client: Pick<CloudWatchClient, "send">,
  queries: readonly MetricQuery[],
  window: { start: Date; days: number },
  count: CloudWatchCallCount,
): Promise<number[][]> {
  const sums = queries.map(() => new Array<number>(window.days).fill(0));
  const end = new Date(window.start.getTime() + window.days * DAY_MS);
  for (let first = 0; first < queries.length; first += METRICS_PER_REQUEST) {
    const batch = queries.slice(first, first + METRICS_PER_REQUEST);
    let token: string | undefined;
    count.metricsRequested += batch.length;
    do {
      let output: GetMetricDataCommandOutput;
      try {
        output = await client.send(
          new GetMetricDataCommand({
            StartTime: window.start,
            EndTime: end,
            ScanBy: "TimestampAscending",
            MetricDataQueries: batch.map((q, i) => ({
              Id: `m${first + i}`,
              MetricStat: {
                Metric: {
                  Namespace: q.namespace,
                  MetricName: q.metricName,
                  Dimensions: [{ Name: q.dimension.name, Value: q.dimension.value }],
                },
                Period: DAY_MS / 1000,
                Stat: "Sum",
              },
              ReturnData: true,
            })),
            ...(token && { NextToken: token }),
          }),
        );
      } catch (err) {
        throw translateAwsError(err, "GetMetricData (CloudWatch)");
      }
      count.getMetricDataRequests += 1;
      for (const result of output.MetricDataResults ?? []) {
        const row = sums[Number(result.Id?.slice(1))];
        if (!row) continue;
        (result.Timestamps ?? []).forEach((at, i) => {
          // Points are stamped with their period's start; placed by time, whatever the order.
          const bucket = Math.floor((at.getTime() - window.start.getTime()) / DAY_MS);
          if (bucket >= 0 && bucket < window.days) row[bucket] = (row[bucket] ?? 0) + (result.Values?.[i] ?? 0);
        });
      }
      token = output.NextToken;
    } while (token);
  }
  return sums;
}
