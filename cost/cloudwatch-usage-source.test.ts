import { randomBytes } from "node:crypto";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientConfig } from "../aws/aws-client-config.ts";
import { createTaggingClient } from "../aws/create-aws-clients.ts";
import { listTaggedResources } from "../aws/list-tagged-resources.ts";
import type { Environment } from "../core/environment.ts";
import { buildTags } from "../stacks/service/aws/build-tags.ts";
import { createTaggedTable } from "../test/support/create-tagged-table.ts";
import { createDashboardHarness, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { createCloudWatchUsageSource } from "./create-cloudwatch-usage-source.ts";
import { createCostMeasurer } from "./create-cost-measurer.ts";
import type { CloudWatchCallCount } from "./fetch-daily-metric-sums.ts";
import { priceUsage } from "./price-measured-usage.ts";
import { PRICE_TABLE, type RegionPrices } from "./price-table.ts";

const GB = 2 ** 30;
const HOUR = 3_600_000;
const us = PRICE_TABLE.regions["us-east-1"] as RegionPrices;

// On the AWS emulator: the metrics a copy's function, API and table would emit, put with PutMetricData,
// read back by the cost step through GetMetricData, priced, stored, and read through stackfork's API.
describe("the CloudWatch cost source, end to end on the AWS emulator", () => {
  const run = randomBytes(3).toString("hex");
  const config = awsClientConfig();
  const cloudwatch = new CloudWatchClient(config);
  const logs = new CloudWatchLogsClient(config);
  const dynamodb = new DynamoDBClient(config);
  const lambda = new LambdaClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const iam = new IAMClient(config);
  const tagging = createTaggingClient();
  const bucket = `cost-state-${run}`;
  let h: DashboardHarness;
  let busy: Environment;
  let idle: Environment;
  let bare: Environment;
  const now = new Date();

  beforeAll(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api", target: "aws" }], start: now });
    const at = new Date(now.getTime() - 20 * 24 * HOUR);
    const seed = (branch: string, url?: string) =>
      seedEnvironment(h.registry, { kind: "branch", repository: "acme/api", branch: `${branch}-${run}` }, "ready", at, {
        url,
      });
    busy = await seed("busy", `https://b${run}.execute-api.us-east-1.amazonaws.com`);
    idle = await seed("idle");
    bare = await seed("bare");

    // The busy copy: a function (256 MB), its log group, a table, all tagged as a copy's are.
    const tags = (e: Environment) =>
      buildTags({
        environment: e.name,
        repository: e.repository,
        branch: e.branch,
        commit: "0".repeat(40),
        target: "aws",
      });
    const role = await iam.send(new CreateRoleCommand({ RoleName: `cost-${run}`, AssumeRolePolicyDocument: "{}" }));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: `${busy.name}-api`,
        Role: role.Role?.Arn,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        MemorySize: 256,
        Code: { ZipFile: zipSync({ "index.js": new TextEncoder().encode("exports.handler = async () => 1;") }) },
        Tags: tags(busy),
      }),
    );
    await createTaggedTable(dynamodb, { environment: busy.name, repository: busy.repository, branch: busy.branch });
    await logs.send(new CreateLogGroupCommand({ logGroupName: `/aws/lambda/${busy.name}-api`, tags: tags(busy) }));
    // The idle copy: a table with an item, and its stack's state in the bucket: storage only.
    await createTaggedTable(dynamodb, { environment: idle.name, repository: idle.repository, branch: idle.branch });
    await dynamodb.send(
      new PutItemCommand({ TableName: `${idle.name}-items`, Item: { id: { S: "x" }, body: { S: "y".repeat(5000) } } }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `.pulumi/stacks/acme-api/${idle.name}.json`,
        Body: "s".repeat(40_000),
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `.pulumi/stacks/acme-api/${idle.name}x.json`, Body: "not-its-own" }),
    );

    const put = (namespace: string, name: string, dimension: [string, string], value: number, hoursAgo: number) =>
      cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: [
            {
              MetricName: name,
              Dimensions: [{ Name: dimension[0], Value: dimension[1] }],
              Value: value,
              Timestamp: new Date(now.getTime() - hoursAgo * HOUR),
            },
          ],
        }),
      );
    const fn: [string, string] = ["FunctionName", `${busy.name}-api`];
    for (const hoursAgo of [2, 24 * 10]) {
      await put("AWS/Lambda", "Invocations", fn, 1000, hoursAgo);
      await put("AWS/Lambda", "Duration", fn, 50_000, hoursAgo);
      await put("AWS/ApiGateway", "Count", ["ApiId", `b${run}`], 1000, hoursAgo);
      await put("AWS/DynamoDB", "ConsumedReadCapacityUnits", ["TableName", `${busy.name}-items`], 400, hoursAgo);
      await put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", ["TableName", `${busy.name}-items`], 200, hoursAgo);
      await put("AWS/Logs", "IncomingBytes", ["LogGroupName", `/aws/lambda/${busy.name}-api`], GB / 1024, hoursAgo);
    }
  });
  afterAll(async () => {
    await h?.close();
    for (const client of [cloudwatch, logs, dynamodb, lambda, s3, iam, tagging]) client.destroy();
  });

  function measurer(region: string, count: CloudWatchCallCount) {
    const source = createCloudWatchUsageSource({
      cloudwatch,
      logs,
      dynamodb,
      lambda,
      s3,
      region,
      isOnAws: () => true,
      listCopyResources: () =>
        listTaggedResources(tagging, [{ key: "managed-by", values: ["stackfork"] }, { key: "environment" }]),
      stateObjects: (e) => ({
        bucket,
        prefixes: [`.pulumi/stacks/acme-api/${e.name}.json`, `.pulumi/history/acme-api/${e.name}/`],
      }),
      costs: h.registry,
      count,
    });
    return createCostMeasurer({
      registry: h.registry,
      sources: [source],
      priceTable: PRICE_TABLE,
      intervalSeconds: 3600,
      log: createRecordingLogger(),
      now: () => now,
    });
  }

  it("prices a busy copy's metrics, an idle copy's storage, and a copy with no metrics at zero; the API shows them", async () => {
    const count: CloudWatchCallCount = { getMetricDataRequests: 0, metricsRequested: 0, listMetricsRequests: 0 };
    const report = await measurer("us-east-1", count)();
    expect(report).toEqual({ due: 3, measured: 3, failed: [] });
    // Six metrics for the busy copy (2 function, 1 API, 2 table, 1 log group), three for the idle one's table and nothing else.
    expect(count.metricsRequested).toBe(6 + 2);
    expect(count.getMetricDataRequests).toBe(1);

    const read = async (e: Environment) => (await h.app.inject(`/api/environments/${e.id}`)).json().cost;
    const day = {
      lambdaRequests: 1000,
      lambdaGbSeconds: 50 * 0.25,
      apiRequests: 1000,
      dynamoReadUnits: 400,
      dynamoWriteUnits: 200,
      logIngestedBytes: GB / 1024,
    };
    const busyCost = await read(busy);
    expect(busyCost.estimated).toBe(false);
    expect(busyCost.last24hUsd).toBeCloseTo(priceUsage(day, us) + (busyCost.idleMonthlyUsd * 24) / 730, 12);
    expect(busyCost.last30dUsd - (busyCost.idleMonthlyUsd * 20 * 24) / 730).toBeCloseTo(2 * priceUsage(day, us), 12);
    expect(busyCost.last24hUsd).toBeLessThan(0.01);
    const detail = (await h.app.inject(`/api/environments/${busy.id}/cost`)).json();
    expect(detail.daily).toHaveLength(30);
    expect(detail.daily.filter((d: { usd: number }) => d.usd > busyCost.idleMonthlyUsd).length).toBe(2);
    expect(detail.last24h).toEqual(day);

    const idleCost = await read(idle);
    const idleDetail = (await h.app.inject(`/api/environments/${idle.id}/cost`)).json();
    expect(idleDetail.stored.stateBytes).toBe(40_000);
    expect(idleCost.idleMonthlyUsd).toBeGreaterThan(0);
    expect(idleCost.last24hUsd).toBeCloseTo((idleCost.idleMonthlyUsd * 24) / 730, 15);

    const bareCost = await read(bare);
    expect([bareCost.idleMonthlyUsd, bareCost.last24hUsd, bareCost.last30dUsd, bareCost.lifeUsd]).toEqual([0, 0, 0, 0]);
    expect(bareCost.alwaysOnMonthlyUsd).toBeGreaterThan(0);
  });

  it("a region the price table lacks: PRICE_REGION_MISSING for each copy, no figure stored, no guess", async () => {
    const other = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: `far-${run}` },
      "ready",
      now,
    );
    const count: CloudWatchCallCount = { getMetricDataRequests: 0, metricsRequested: 0, listMetricsRequests: 0 };
    const report = await measurer("ap-south-2", count)();
    expect(report?.failed).toContainEqual({ environment: other.id, code: "PRICE_REGION_MISSING" });
    expect(report?.measured).toBe(0);
    expect((await h.app.inject(`/api/environments/${other.id}`)).json().cost).toBeNull();
  });
});
