import { type CloudWatchClient, ListMetricsCommand, type ListMetricsCommandOutput } from "@aws-sdk/client-cloudwatch";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import type { CloudWatchCallCount } from "./fetch-daily-metric-sums.ts";

/**
 * The functions invoked in the last three hours, for the whole account in a request or a few
 * (ListMetrics' RecentlyActive, 500 a page, $0.01 per 1,000 requests, whatever the number of
 * copies): how an idle copy that starts being used is measured within the interval, without
 * requesting its metrics every interval. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html
 */
export async function listActiveFunctions(
  client: Pick<CloudWatchClient, "send">,
  count: CloudWatchCallCount,
): Promise<Set<string>> {
  const names = new Set<string>();
  let token: string | undefined;
  do {
    let output: ListMetricsCommandOutput;
    try {
      output = await client.send(
        new ListMetricsCommand({
          Namespace: "AWS/Lambda",
          MetricName: "Invocations",
          RecentlyActive: "PT3H",
          ...(token && { NextToken: token }),
        }),
      );
    } catch (err) {
      throw translateAwsError(err, "ListMetrics (CloudWatch)");
    }
    count.listMetricsRequests += 1;
    for (const metric of output.Metrics ?? []) {
      const name = metric.Dimensions?.find((d) => d.Name === "FunctionName")?.Value;
      if (name) names.add(name);
    }
    token = output.NextToken;
  } while (token);
  return names;
}
