import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";

/** DynamoDB bills each item's size plus 100 bytes of index overhead per item stored. */
const ITEM_OVERHEAD_BYTES = 100;

/**
 * The table's stored size as DynamoDB would bill it: each item's size (attribute names and values,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html)
 * plus the per-item overhead. dynalite keeps no TableSizeBytes, so the table is scanned: pass a
 * client whose calls are not counted as the copy's traffic.
 */
export async function measureTableBytes(client: DynamoDBClient, tableName: string): Promise<number> {
  let bytes = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) bytes += ITEM_OVERHEAD_BYTES + sizeOfItem(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return bytes;
}

function sizeOfItem(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + sizeOfValue(value), 0);
}

function sizeOfValue(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, "").length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.SS) return value.SS.reduce((s, v) => s + Buffer.byteLength(v), 0);
  if (value.NS) return value.NS.reduce((s, v) => s + Math.ceil(v.length / 2) + 1, 0);
  if (value.BS) return value.BS.reduce((s, v) => s + v.length, 0);
  if (value.L) return 3 + value.L.reduce((s, v) => s + 1 + sizeOfValue(v), 0);
  if (value.M) return 3 + sizeOfItem(value.M) + Object.keys(value.M).length;
  return 1; // BOOL, NULL
}
