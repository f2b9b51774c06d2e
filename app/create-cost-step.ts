import { parseS3StateUrl } from "../aws/parse-pulumi-urls.ts";
import type { StackforkConfig } from "../core/config.ts";
import type { Environment } from "../core/environment.ts";
import type { Logger } from "../core/logger.ts";
import { projectNameOf } from "../core/project-name-of.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { CloudWatchCallCount } from "../cost/fetch-daily-metric-sums.ts";
import { findActiveLocalCopies } from "../cost/find-active-local-copies.ts";
import { createLocalUsageSource } from "../cost/local-usage-source.ts";
import { PRICE_TABLE } from "../cost/price-table.ts";
import type { UsageSource } from "../cost/usage-source.ts";
import type { Registry } from "../registry/registry.ts";

export interface CostStepDeps {
  config: StackforkConfig;
  registry: Registry;
  findRepository: (fullName: string) => RepositoryConfig | undefined;
  log: Logger;
  now: () => Date;
}

/**
 * The maintenance run's cost step as `stackfork serve` and the reaper Lambda both build it, once per
 * process: the local copies' counters, and CloudWatch when a repository deploys to AWS; Cost
 * Explorer when `costExplorer` is on. Undefined when `costIntervalSeconds` is 0.
 */
export async function createCostStep(deps: CostStepDeps) {
  const { config, registry, findRepository, log, now } = deps;
  if (config.costIntervalSeconds === 0) return undefined;
  const { createCostMeasurer } = await import("../cost/create-cost-measurer.ts");
  const sources: UsageSource[] = [
    createLocalUsageSource({ dataDir: config.dataDir, findRepository, log: log.child({ component: "cost" }) }),
  ];
  const onAws = config.repositories.some((r) => r.target === "aws");
  const aws = onAws ? await createCloudWatchParts(deps) : undefined;
  if (aws) sources.push(aws.source);
  const measure = createCostMeasurer({
    registry,
    sources,
    priceTable: PRICE_TABLE,
    intervalSeconds: config.costIntervalSeconds,
    // Running local copies every interval (their counters cost nothing to read), AWS ones by CloudWatch.
    findActive: async () => {
      const since = new Date(now().getTime() - config.costIntervalSeconds * 1000 - 86_400_000);
      const local = findActiveLocalCopies(config.dataDir, since);
      return aws ? new Set([...local, ...(await aws.findActive())]) : local;
    },
    costExplorer: aws?.costExplorer,
    log: log.child({ component: "cost" }),
    now,
  });
  if (!aws) return measure;
  // Each run's CloudWatch calls in its report (the reaper's log line): what measuring costs, as it runs.
  return async () => {
    Object.assign(aws.count, { getMetricDataRequests: 0, metricsRequested: 0, listMetricsRequests: 0 });
    const report = await measure();
    return report && { ...report, cloudwatch: { ...aws.count } };
  };
}

/** The AWS clients are loaded only where some repository deploys to AWS. */
async function createCloudWatchParts({ config, registry, findRepository, now }: CostStepDeps) {
  const { CloudWatchClient } = await import("@aws-sdk/client-cloudwatch");
  const { CloudWatchLogsClient } = await import("@aws-sdk/client-cloudwatch-logs");
  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const { LambdaClient } = await import("@aws-sdk/client-lambda");
  const { awsClientConfig } = await import("../aws/aws-client-config.ts");
  const { createS3Client, createTaggingClient } = await import("../aws/create-aws-clients.ts");
  const { listTaggedResources } = await import("../aws/list-tagged-resources.ts");
  const { COPY_TAGS } = await import("../reaper/find-cloud-orphans.ts");
  const { createCloudWatchUsageSource } = await import("../cost/create-cloudwatch-usage-source.ts");
  const { listActiveFunctions } = await import("../cost/list-active-functions.ts");
  const cloudwatch = new CloudWatchClient(awsClientConfig());
  const tagging = createTaggingClient();
  const count: CloudWatchCallCount = { getMetricDataRequests: 0, metricsRequested: 0, listMetricsRequests: 0 };
  const listCopyResources = () =>
    listTaggedResources(tagging, [{ key: COPY_TAGS.managedBy, values: ["stackfork"] }, { key: COPY_TAGS.environment }]);
  const state = config.stateUrl ? parseS3StateUrl(config.stateUrl) : undefined;
  const isOnAws = (e: Environment) => findRepository(e.repository)?.target === "aws";
  const source = createCloudWatchUsageSource({
    cloudwatch,
    logs: new CloudWatchLogsClient(awsClientConfig()),
    dynamodb: new DynamoDBClient(awsClientConfig()),
    lambda: new LambdaClient(awsClientConfig()),
    s3: state ? createS3Client() : undefined,
    region: await cloudwatch.config.region(),
    isOnAws,
    listCopyResources,
    stateObjects: state && ((e) => stateObjectsOf(state, projectNameOf({ name: e.repository }), e.name)),
    costs: registry,
    count,
  });
  /** Environment names whose functions were invoked in the last three hours. */
  const findActive = async () => {
    const functions = await listActiveFunctions(cloudwatch, count);
    if (functions.size === 0) return new Set<string>();
    const names = new Set<string>();
    for (const r of await listCopyResources()) {
      const fn = r.type === "lambda:function" ? r.arn.split(":")[6] : undefined;
      if (fn && functions.has(fn) && r.tags.environment) names.add(r.tags.environment);
    }
    return names;
  };
  let costExplorer: (() => Promise<Map<string, { last30dUsd: number; through: string }>>) | undefined;
  if (config.costExplorer) {
    const { CostExplorerClient } = await import("@aws-sdk/client-cost-explorer");
    const { createCostExplorerReader } = await import("../cost/create-cost-explorer-reader.ts");
    // Cost Explorer's endpoint is in us-east-1 whatever the platform's region.
    costExplorer = createCostExplorerReader({
      client: new CostExplorerClient({ ...awsClientConfig(), region: "us-east-1" }),
      now,
    });
  }
  return { source, findActive, costExplorer, count };
}

/**
 * Pulumi's DIY backend keeps a stack's state, history and backups under `.pulumi/`, and packaged
 * CloudFormation artifacts go under `artifacts/<project>/<environment>/` of the same bucket
 * (cloudformation/resolve-artifact-location.ts).
 */
function stateObjectsOf(state: { bucket: string; prefix: string }, project: string, environment: string) {
  const root = state.prefix ? state.prefix.replace(/\/?$/, "/") : "";
  return {
    bucket: state.bucket,
    prefixes: [
      `${root}.pulumi/stacks/${project}/${environment}.json`,
      `${root}.pulumi/history/${project}/${environment}/`,
      `${root}.pulumi/backups/${project}/${environment}/`,
      `artifacts/${project}/${environment}/`,
    ],
  };
}
