import type { EnvironmentStatus } from "../core/environment.ts";
import { registryKeys } from "./dynamodb-registry-items.ts";

/**
 * The update of the counts item: moved by ADD in the very transaction that creates an environment or
 * changes its status, so it is exact (the two commit together or not at all). Cost per write: no
 * extra request, one more item in the transaction (2 write units, as every transactional item), and
 * a status change becomes a transaction (its environment put costs 2 units instead of 1). Cost per
 * page view: countByStatus is one GetItem of a tiny item (1 read unit), where counting would Scan
 * every environment (10,000 items of ~1 KB: 10+ requests and ~1,250 read units, per view).
 */
export function dynamoDbCountsUpdate(tableName: string, delta: Partial<Record<EnvironmentStatus, number>>) {
  const entries = Object.entries(delta);
  return {
    TableName: tableName,
    Key: registryKeys.counts(),
    UpdateExpression: `ADD ${entries.map((_, i) => `#s${i} :d${i}`).join(", ")}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([status], i) => [`#s${i}`, status])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, count], i) => [`:d${i}`, count])),
  };
}
