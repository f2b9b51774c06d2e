import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { putDynamoDbItems } from "../aws/put-dynamodb-items.ts";
import { queryDynamoDbPartition } from "../aws/query-dynamodb-partition.ts";
import { StackforkError } from "../core/errors.ts";
import { type LogJobItem, type LogLineItem, NOT_EXISTS, registryKeys, toLogLine } from "./dynamodb-registry-items.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import { type DynamoDbRegistryTable, getDynamoDbRegistryItem } from "./get-dynamodb-registry-item.ts";
import type { LogLine, Registry } from "./registry.ts";
import { requirePositiveInteger } from "./require-positive-integer.ts";
import { takeDynamoDbSequence } from "./take-dynamodb-sequence.ts";
import { truncateEngineLog } from "./truncate-engine-log.ts";

/** A job's line budget is claimed optimistically: read again and retried this often when it loses a race. */
const RACE_ATTEMPTS = 8;
/**
 * An item is at most 400 KB: a longer line is cut (a UTF-16 unit is at most 3 bytes of UTF-8).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
 */
const MAX_LINE_LENGTH = 100_000;

/** The engine log of the DynamoDB registry: an item per line, numbered per environment, a budget item per job. */
export function createDynamoDbEngineLog(
  table: DynamoDbRegistryTable,
  maxLogLinesPerJob: number,
): Pick<Registry, "appendLog" | "readLog"> {
  const { documents, tableName: TableName, sender } = table;

  /**
   * The job's line budget is claimed first (conditional on the count read), then the seqs are taken
   * (one atomic ADD), then the lines written. A crash in between loses those lines and leaves a gap in
   * the seqs; readers resume after the last seq they saw, so a gap is harmless.
   */
  async function appendLog(environmentId: string, jobId: string, lines: readonly string[], now: Date): Promise<void> {
    const jobKey = registryKeys.logJob(environmentId, jobId);
    for (let attempt = 1; attempt <= RACE_ATTEMPTS; attempt++) {
      const job = await getDynamoDbRegistryItem<LogJobItem>(table, jobKey);
      let seqAfter = job?.seqAfter ?? 0;
      if (!job) {
        const sequences = await getDynamoDbRegistryItem<{ logSeq: number }>(
          table,
          registryKeys.sequences(environmentId),
        );
        if (!sequences) throw environmentNotFound(environmentId);
        seqAfter = sequences.logSeq;
      }
      if (lines.length === 0 || job?.truncated) return;
      const used = job?.lineCount ?? 0;
      const { kept, truncated, marker } = truncateEngineLog(lines, used, maxLogLinesPerJob);
      const claim = await sender.sendConditional("UpdateItem", () =>
        documents.send(
          new UpdateCommand({
            TableName,
            Key: jobKey,
            UpdateExpression: "SET lineCount = :lineCount, truncated = :truncated, seqAfter = :seqAfter",
            ConditionExpression: job ? "lineCount = :used" : NOT_EXISTS,
            ExpressionAttributeValues: {
              ":lineCount": used + kept.length,
              ":truncated": truncated,
              ":seqAfter": seqAfter,
              ...(job && { ":used": used }),
            },
          }),
        ),
      );
      if ("failed" in claim) continue;
      const texts = kept.map((text) =>
        text.length > MAX_LINE_LENGTH ? `${text.slice(0, MAX_LINE_LENGTH)} [stackfork: line cut]` : text,
      );
      if (marker !== undefined) texts.push(marker);
      const last = await takeDynamoDbSequence(table, environmentId, "logSeq", texts.length);
      const first = last - texts.length + 1;
      const at = now.toISOString();
      await putDynamoDbItems(
        table,
        texts.map((text, i): LogLineItem => {
          const seq = first + i;
          return { ...registryKeys.logLine(environmentId, seq), seq, jobId, at, text };
        }),
      );
      return;
    }
    throw new StackforkError("AWS_REQUEST_FAILED", `job ${jobId}'s log kept changing under the append`, {
      details: { environmentId, jobId },
    });
  }

  async function readLog(
    environmentId: string,
    options: { jobId?: string; afterSeq?: number; limit?: number } = {},
  ): Promise<LogLine[]> {
    if (options.limit !== undefined) requirePositiveInteger(options.limit, "limit");
    let after = Math.max(0, Math.floor(options.afterSeq ?? 0));
    let expected: number | undefined;
    if (options.jobId !== undefined) {
      // A job's lines come after its seqAfter: the environment's earlier jobs are not read through.
      const job = await getDynamoDbRegistryItem<LogJobItem>(table, registryKeys.logJob(environmentId, options.jobId));
      if (!job) return [];
      after = Math.max(after, job.seqAfter);
      if (options.afterSeq === undefined) expected = job.lineCount + (job.truncated ? 1 : 0);
    }
    const items = await queryDynamoDbPartition<LogLineItem>(table, {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": registryKeys.environmentPk(environmentId),
        ":from": registryKeys.logLine(environmentId, after + 1).sk,
        ":to": registryKeys.logLine(environmentId, Number.MAX_SAFE_INTEGER).sk,
        ...(options.jobId !== undefined && { ":jobId": options.jobId }),
      },
      ...(options.jobId !== undefined && { FilterExpression: "jobId = :jobId" }),
      ScanIndexForward: true,
      limit: options.limit ?? expected,
    });
    return items.map(toLogLine);
  }

  return { appendLog, readLog };
}
