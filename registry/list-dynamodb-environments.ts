import { QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import { decodeListCursor } from "./decode-list-cursor.ts";
import { type EnvironmentItem, environmentIndexes, formatSortKey, toEnvironment } from "./dynamodb-registry-items.ts";
import { encodeListCursor } from "./encode-list-cursor.ts";
import type { DynamoDbRegistryTable } from "./get-dynamodb-registry-item.ts";
import type { EnvironmentPage, ListEnvironmentsQuery } from "./registry.ts";
import { requirePositiveInteger } from "./require-positive-integer.ts";

const DEFAULT_PAGE_LIMIT = 100;
/**
 * With a filter, DynamoDB's `Limit` counts the items read, not those that matched: read in batches
 * that start at this and double, so a selective filter needs few round trips. A page is still full
 * unless it is the last (callers count on it: a sandbox quota reads one page of `limit + 1`).
 */
const FILTERED_BATCH = 200;
const MAX_BATCH = 5000;

/**
 * One page of environments, newest first, from the index that fits the query: never a Scan. A
 * repository reads that repository's index; otherwise the default (destroyed hidden) reads the
 * sparse `LIVE` index, and includeDestroyed or `status: "destroyed"` all of them. Status, kind,
 * owner and search filter what the index returns. Indexes are eventually consistent: a change
 * made a moment ago may not be listed yet (DynamoDB: usually well under a second).
 */
export async function listDynamoDbEnvironments(
  { documents, tableName, sender }: DynamoDbRegistryTable,
  query: ListEnvironmentsQuery,
): Promise<EnvironmentPage> {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  requirePositiveInteger(limit, "limit");
  // The cursor's [updatedAt, id] as the indexes' sort key: every index shares it.
  const before = query.cursor === undefined ? undefined : formatSortKey(...decodeListCursor(query.cursor));
  const { index, partition } = chooseIndex(query);
  const filter = buildFilter(query);
  const names: Record<string, string> = {
    "#pk": index.pk,
    ...(before !== undefined && { "#sk": index.sk }),
    ...filter?.names,
  };
  const values: Record<string, unknown> = {
    ":pk": partition,
    ...(before !== undefined && { ":before": before }),
    ...filter?.values,
  };
  const matches: EnvironmentItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let batch = FILTERED_BATCH; ; batch = Math.min(batch * 2, MAX_BATCH)) {
    // One more than the page: finding it says there is a next page without another round trip.
    const wanted = limit + 1 - matches.length;
    const output: QueryCommandOutput = await sender.send("Query", () =>
      documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index.name,
          KeyConditionExpression: before === undefined ? "#pk = :pk" : "#pk = :pk AND #sk < :before",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...(filter && { FilterExpression: filter.expression }),
          ScanIndexForward: false,
          Limit: filter ? Math.max(wanted, batch) : wanted,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    matches.push(...((output.Items ?? []) as EnvironmentItem[]));
    startKey = output.LastEvaluatedKey;
    if (matches.length > limit || startKey === undefined) break;
  }

  const page = matches.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = matches.length > limit && last ? encodeListCursor(last.updatedAt, last.id) : undefined;
  return { environments: page.map(toEnvironment), ...(nextCursor !== undefined && { nextCursor }) };
}

function chooseIndex(query: ListEnvironmentsQuery) {
  const { all, repository, live } = environmentIndexes;
  if (query.repository !== undefined) return { index: repository, partition: repository.value(query.repository) };
  if (query.includeDestroyed || query.status === "destroyed") return { index: all, partition: all.value() };
  return { index: live, partition: live.value() };
}

interface Filter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

function buildFilter(query: ListEnvironmentsQuery): Filter | undefined {
  const terms: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const equals = (attribute: string, value: string) => {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    terms.push(`#${attribute} = :${attribute}`);
  };
  if (query.status !== undefined) equals("status", query.status);
  else if (query.repository !== undefined && !query.includeDestroyed) {
    // The repository index holds its destroyed environments too.
    names["#status"] = "status";
    values[":destroyed"] = "destroyed";
    terms.push("#status <> :destroyed");
  }
  if (query.kind !== undefined) equals("kind", query.kind);
  if (query.owner !== undefined) equals("ownerKey", query.owner.toLowerCase());
  if (query.search) {
    // contains() on a string is a plain substring test: `%` and `_` are characters, not wildcards.
    names["#searchText"] = "searchText";
    values[":search"] = query.search.toLowerCase();
    terms.push("contains(#searchText, :search)");
  }
  return terms.length === 0 ? undefined : { expression: terms.join(" AND "), names, values };
}
