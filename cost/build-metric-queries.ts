import type { Usage } from "../core/environment-cost.ts";
import type { CopyResources } from "./group-copy-resources.ts";

/** One metric of one resource: what a GetMetricData query asks for, and where its sum goes. */
export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimension: { name: string; value: string };
  /** `durationMs` becomes GB-seconds once the function's memory is known. */
  field: keyof Usage | "durationMs";
  /** The function whose memory prices `durationMs`. */
  functionName?: string;
}

/**
 * The metrics AWS publishes for what a copy owns, each summed: Lambda's Invocations and Duration by
 * FunctionName, an HTTP API's Count by ApiId, a table's consumed read and write units by TableName
 * (on-demand tables bill request units; consumed capacity units count the same reads and writes),
 * a log group's IncomingBytes by LogGroupName. Six metrics for a copy of the service stack: each one
 * is billed as a metric requested (README, "What an environment costs").
 */
export function buildMetricQueries(resources: CopyResources): MetricQuery[] {
  const queries: MetricQuery[] = [];
  for (const fn of resources.functions) {
    const dimension = { name: "FunctionName", value: fn };
    queries.push({ namespace: "AWS/Lambda", metricName: "Invocations", dimension, field: "lambdaRequests" });
    queries.push({
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimension,
      field: "durationMs",
      functionName: fn,
    });
  }
  for (const api of resources.apis) {
    queries.push({
      namespace: "AWS/ApiGateway",
      metricName: "Count",
      dimension: { name: "ApiId", value: api },
      field: "apiRequests",
    });
  }
  for (const table of resources.tables) {
    const dimension = { name: "TableName", value: table };
    queries.push({
      namespace: "AWS/DynamoDB",
      metricName: "ConsumedReadCapacityUnits",
      dimension,
      field: "dynamoReadUnits",
    });
    queries.push({
      namespace: "AWS/DynamoDB",
      metricName: "ConsumedWriteCapacityUnits",
      dimension,
      field: "dynamoWriteUnits",
    });
  }
  for (const group of resources.logGroups) {
    queries.push({
      namespace: "AWS/Logs",
      metricName: "IncomingBytes",
      dimension: { name: "LogGroupName", value: group },
      field: "logIngestedBytes",
    });
  }
  return queries;
}
