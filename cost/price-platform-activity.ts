import type { PlatformActivity } from "./count-platform-activity.ts";
import type { RegionPrices } from "./price-table.ts";

/**
 * What the platform on AWS does per event, from `npm run bench:aws` (BENCHMARKS.md, "The AWS
 * adapters against the embedded default": requests counted through a proxy, the higher figure of
 * its rounds) and the functions' sizes (platform/create-lambda-functions.ts). A webhook's and a
 * reaper run's duration were not measured on AWS: the figures marked assumed are.
 */
export const PLATFORM_PER_EVENT = {
  delivery: { invocations: 1, memoryMb: 512, assumedMs: 100, dynamoRequests: 12, sqsRequests: 3, s3KmsRequests: 0 },
  job: { invocations: 1, memoryMb: 2048, dynamoRequests: 106, sqsRequests: 4, s3KmsRequests: 101 },
  reaperRun: { invocations: 1, memoryMb: 512, assumedMs: 500, dynamoRequests: 5, sqsRequests: 0, s3KmsRequests: 1 },
  /** One environment's rows (environment, history, job, log lines), for its idle storage. */
  storedBytesPerEnvironment: 20_000,
} as const;

/** `rate(5 minutes)`, the reaper's default schedule: 288 runs a day. */
const REAPER_RUNS_PER_DAY = 288;
const GIGABYTE = 2 ** 30;

export interface PlatformCost {
  lines: { what: string; count: number; usd: number; how: string }[];
  usageUsd: number;
  idleMonthlyUsd: number;
  /** Counted but not priced: the price table has no SQS, S3 request or KMS prices. */
  unpriced: { sqsRequests: number; s3KmsRequests: number };
}

/**
 * The platform's own cost over the activity's window, with the copies' price table: its Lambda
 * invocations and GB-seconds, DynamoDB requests (each priced as a write unit: the upper bound, most
 * are writes), and its registry's storage per month while nothing happens.
 */
export function pricePlatformActivity(activity: PlatformActivity, prices: RegionPrices): PlatformCost {
  const days = (Date.parse(activity.to) - Date.parse(activity.from)) / 86_400_000;
  const reaperRuns = Math.round(days * REAPER_RUNS_PER_DAY);
  const { delivery, job, reaperRun } = PLATFORM_PER_EVENT;
  const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);
  const lambda = (invocations: number, gbs: number) =>
    invocations * prices.lambdaRequest.usd + gbs * prices.lambdaGbSecond.usd;
  const dynamo = (requests: number) => requests * prices.dynamoWriteUnit.usd;
  const lines = [
    {
      what: "Webhook deliveries",
      count: activity.deliveries,
      usd:
        lambda(activity.deliveries, gbSeconds(activity.deliveries * delivery.assumedMs, delivery.memoryMb)) +
        dynamo(activity.deliveries * delivery.dynamoRequests),
      how: `1 invocation (${delivery.memoryMb} MB, ${delivery.assumedMs} ms assumed) and ${delivery.dynamoRequests} DynamoDB requests each`,
    },
    {
      what: "Jobs (deploys, destroys)",
      count: activity.jobs,
      usd: lambda(activity.jobs, gbSeconds(activity.jobMs, job.memoryMb)) + dynamo(activity.jobs * job.dynamoRequests),
      how: `1 worker invocation (${job.memoryMb} MB) for the engine's measured ${Math.round(activity.jobMs / 1000)} s in all, and ${job.dynamoRequests} DynamoDB requests each`,
    },
    {
      what: "Reaper runs (every 5 minutes)",
      count: reaperRuns,
      usd:
        lambda(reaperRuns, gbSeconds(reaperRuns * reaperRun.assumedMs, reaperRun.memoryMb)) +
        dynamo(reaperRuns * reaperRun.dynamoRequests),
      how: `1 invocation (${reaperRun.memoryMb} MB, ${reaperRun.assumedMs} ms assumed) and ${reaperRun.dynamoRequests} DynamoDB requests each`,
    },
  ];
  const storedBytes = activity.storedEnvironments * PLATFORM_PER_EVENT.storedBytesPerEnvironment;
  return {
    lines,
    usageUsd: lines.reduce((sum, l) => sum + l.usd, 0),
    idleMonthlyUsd: (storedBytes / GIGABYTE) * prices.dynamoStorageGbMonth.usd,
    unpriced: {
      sqsRequests:
        activity.deliveries * delivery.sqsRequests +
        activity.jobs * job.sqsRequests +
        reaperRuns * reaperRun.sqsRequests,
      s3KmsRequests: activity.jobs * job.s3KmsRequests + reaperRuns * reaperRun.s3KmsRequests,
    },
  };
}
