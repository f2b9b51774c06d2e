// One cost run over many environments on the AWS emulator (BENCHMARKS.md, "Measuring costs"): the
// CloudWatch requests and metrics requested (what GetMetricData bills), the other calls, and the time,
// for a first run (every environment new) and a run an interval later (only the busy ones due).
//   npm run bench:cost -- [--environments 1000] [--busy 100]
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { awsClientConfig } from "../aws/aws-client-config.ts";
import type { TaggedResource } from "../aws/list-tagged-resources.ts";
import { createCloudWatchUsageSource } from "../cost/create-cloudwatch-usage-source.ts";
import { createCostMeasurer } from "../cost/create-cost-measurer.ts";
import { IDLE_REMEASURE_MS } from "../cost/decide-costs-due.ts";
import type { CloudWatchCallCount } from "../cost/fetch-daily-metric-sums.ts";
import { listActiveFunctions } from "../cost/list-active-functions.ts";
import { PRICE_TABLE } from "../cost/price-table.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { startAwsEmulator } from "../test/support/start-aws-emulator.ts";

const { values } = parseArgs({
  options: { environments: { type: "string", default: "1000" }, busy: { type: "string", default: "100" } },
});
const total = Number(values.environments);
const busyCount = Number(values.busy);
const HOUR = 3_600_000;
/** GetMetricData: $0.01 per 1,000 metrics requested; ListMetrics: $0.01 per 1,000 requests. */
const USD_PER_METRIC = 0.01 / 1000;
const USD_PER_REQUEST = 0.01 / 1000;

const work = mkdtempSync(path.join(tmpdir(), "stackfork-bench-cost-"));
const emulator = await startAwsEmulator();
try {
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  const registry = createSqliteRegistry({ file: path.join(work, "registry.db") });
  const start = new Date();
  const created = new Date(start.getTime() - 20 * 24 * HOUR);
  const resources: TaggedResource[] = [];
  const names: string[] = [];
  for (let i = 0; i < total; i++) {
    const e = await registry.ensureEnvironment(
      { kind: "branch", repository: "acme/bench", branch: `b-${i}` },
      { status: "queued", now: created },
    );
    await registry.updateEnvironment(e.id, { status: "deploying" }, created);
    await registry.updateEnvironment(
      e.id,
      { status: "ready", url: `https://a${i}.execute-api.us-east-1.amazonaws.com` },
      created,
    );
    const tags = { environment: e.name, "managed-by": "stackfork", repository: "acme/bench" };
    resources.push(
      { arn: `arn:aws:lambda:us-east-1:123456789012:function:${e.name}-api`, type: "lambda:function", tags },
      { arn: `arn:aws:dynamodb:us-east-1:123456789012:table/${e.name}-items`, type: "dynamodb:table", tags },
      { arn: `arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/${e.name}-api`, type: "logs:log-group", tags },
    );
    names.push(e.name);
  }
  // The busy ones: what their function, API, table and logs emitted two hours ago.
  const cloudwatch = new CloudWatchClient(awsClientConfig());
  const data = names.slice(0, busyCount).flatMap((name, i) => {
    const at = new Date(start.getTime() - 2 * HOUR);
    const d = (n: string, metric: string, value: string, v: number) => ({ n, metric, dim: value, v, at });
    return [
      d("AWS/Lambda", "Invocations", `FunctionName=${name}-api`, 100),
      d("AWS/Lambda", "Duration", `FunctionName=${name}-api`, 4000),
      d("AWS/ApiGateway", "Count", `ApiId=a${i}`, 100),
      d("AWS/DynamoDB", "ConsumedReadCapacityUnits", `TableName=${name}-items`, 50),
      d("AWS/DynamoDB", "ConsumedWriteCapacityUnits", `TableName=${name}-items`, 10),
      d("AWS/Logs", "IncomingBytes", `LogGroupName=/aws/lambda/${name}-api`, 20_000),
    ];
  });
  for (const namespace of new Set(data.map((d) => d.n))) {
    const own = data.filter((d) => d.n === namespace);
    for (let i = 0; i < own.length; i += 500) {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: own.slice(i, i + 500).map((d) => {
            const [Name, Value] = d.dim.split("=") as [string, string];
            return { MetricName: d.metric, Dimensions: [{ Name, Value }], Value: d.v, Timestamp: d.at };
          }),
        }),
      );
    }
  }

  const calls: Record<string, number> = {};
  /** Time spent waiting on each kind of call (summed over calls in flight at once). */
  const busyMs: Record<string, number> = {};
  const counted = <T extends { send: (command: never) => Promise<unknown> }>(client: T): T =>
    ({
      send: async (command: { constructor: { name: string } }) => {
        const name = command.constructor.name.replace(/Command$/, "");
        calls[name] = (calls[name] ?? 0) + 1;
        const t0 = performance.now();
        try {
          return await client.send(command as never);
        } finally {
          busyMs[name] = (busyMs[name] ?? 0) + performance.now() - t0;
        }
      },
    }) as unknown as T;
  const count: CloudWatchCallCount = { getMetricDataRequests: 0, metricsRequested: 0, listMetricsRequests: 0 };
  const cw = counted(cloudwatch);
  const source = createCloudWatchUsageSource({
    cloudwatch: cw,
    logs: counted(new CloudWatchLogsClient(awsClientConfig())),
    dynamodb: counted(new DynamoDBClient(awsClientConfig())),
    lambda: counted(new LambdaClient(awsClientConfig())),
    region: "us-east-1",
    isOnAws: () => true,
    listCopyResources: async () => resources,
    costs: registry,
    count,
  });
  let now = start;
  const functionsOf = new Map(names.map((n) => [`${n}-api`, n]));
  const measure = createCostMeasurer({
    registry,
    sources: [source],
    priceTable: PRICE_TABLE,
    intervalSeconds: 3600,
    findActive: async () =>
      new Set([...(await listActiveFunctions(cw, count))].flatMap((fn) => functionsOf.get(fn) ?? [])),
    log: createRecordingLogger(),
    now: () => now,
  });

  const runOnce = async (label: string) => {
    for (const key of Object.keys(calls)) delete calls[key];
    for (const key of Object.keys(busyMs)) delete busyMs[key];
    Object.assign(count, { getMetricDataRequests: 0, metricsRequested: 0, listMetricsRequests: 0 });
    const t0 = performance.now();
    const report = await measure();
    const seconds = (performance.now() - t0) / 1000;
    const usd = count.metricsRequested * USD_PER_METRIC + count.listMetricsRequests * USD_PER_REQUEST;
    console.log(
      `${label}: ${report?.measured} of ${total} measured in ${seconds.toFixed(2)} s; ` +
        `GetMetricData ${count.getMetricDataRequests} requests, ${count.metricsRequested} metrics; ` +
        `ListMetrics ${count.listMetricsRequests}; calls ${JSON.stringify(calls)}; waiting on them (s) ${JSON.stringify(Object.fromEntries(Object.entries(busyMs).map(([k, v]) => [k, Number((v / 1000).toFixed(2))])))}; CloudWatch $${usd.toFixed(5)}`,
    );
    return { count: { ...count }, seconds };
  };
  await runOnce("first run (all new)");
  now = new Date(start.getTime() + HOUR);
  const steady = await runOnce(`an interval later (${busyCount} busy)`);
  now = new Date(start.getTime() + IDLE_REMEASURE_MS);
  const weekly = await runOnce("a week later (the idle ones' weekly measurement too)");
  const idleMetricsPerEnvironment =
    (weekly.count.metricsRequested - steady.count.metricsRequested) / (total - busyCount);
  const weeksPerMonth = 730 / (7 * 24);
  const per100Idle = 100 * idleMetricsPerEnvironment * weeksPerMonth * USD_PER_METRIC;
  const probe = steady.count.listMetricsRequests * 730 * USD_PER_REQUEST;
  console.log(
    `idle: ${idleMetricsPerEnvironment} metrics per environment per week -> $${per100Idle.toFixed(4)} a month per 100 idle environments; ` +
      `the activity probe (ListMetrics, every hour, for all of them) $${probe.toFixed(4)} a month`,
  );
  console.log(
    `machine: ${cpus().length} vCPU (${cpus()[0]?.model}), Node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  await registry.close();
} finally {
  await emulator.stop();
  rmSync(work, { recursive: true, force: true });
}
