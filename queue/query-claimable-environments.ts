import { type EnvironmentItem, padded } from "./aws-job-item.ts";
import type { AwsJobTable } from "./aws-job-table.ts";
import { queryPendingEnvironments } from "./query-pending-environments.ts";

/**
 * Environments whose first job is claimable at `nowMs` by the index (claimableAt reached), oldest
 * first job first. The index may lag: a claim reads each again before it leases anything.
 */
export async function queryClaimableEnvironments(jobTable: AwsJobTable, nowMs: number): Promise<EnvironmentItem[]> {
  const items = await queryPendingEnvironments(jobTable, {
    KeyConditionExpression: "gsi1pk = :pending AND gsi1sk < :after",
    ExpressionAttributeValues: { ":after": padded(nowMs + 1) },
  });
  return items.sort((a, b) => (a.firstSeq ?? 0) - (b.firstSeq ?? 0));
}
