import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TableDefinition } from "../aws/aws-resources.ts";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { createDynamoDbSender } from "../aws/create-dynamodb-sender.ts";
import { putDynamoDbItems } from "../aws/put-dynamodb-items.ts";
import { queryDynamoDbPartition } from "../aws/query-dynamodb-partition.ts";
import {
  type Environment,
  type EnvironmentIdentity,
  type EnvironmentStatus,
  formatIdentityKey,
} from "../core/environment.ts";
import { nameEnvironment } from "../core/environment-name.ts";
import { StackforkError } from "../core/errors.ts";
import type { HistoryEvent, NewHistoryEvent } from "../core/history-event.ts";
import { applyEnvironmentPatch } from "./apply-environment-patch.ts";
import {
  type EnvironmentItem,
  environmentIndexes,
  type HistoryEventItem,
  type Key,
  type LogJobItem,
  type LogLineItem,
  type RevokedSessionItem,
  registryKeys,
  toEnvironment,
  toEnvironmentItem,
  toHistoryEvent,
  toLogLine,
} from "./dynamodb-registry-items.ts";
import { listDynamoDbEnvironments } from "./list-dynamodb-environments.ts";
import {
  DELIVERY_ABANDONED_AFTER_MS,
  type DeliveryMemory,
  type EnvironmentPatch,
  type LogLine,
  type Registry,
} from "./registry.ts";

export interface DynamoDbRegistryOptions {
  /** Shared with the other AWS adapters: the registry never destroys them. */
  clients: Pick<AwsClients, "documents">;
  /** `defineAwsResources(prefix).registryTable`: its indexes are the ones documented in dynamodb-registry-items.ts. */
  table: TableDefinition;
  /** Engine log lines kept per job; later lines are dropped and one marker line says so. @default 2000 */
  maxLogLinesPerJob?: number;
  /** Hours a delivery id (and its signature) is remembered (GitHub redelivers for up to 3 days). @default 72 */
  deliveryRetainHours?: number;
}

const HOUR_MS = 3_600_000;
/** Optimistic writes (an environment, a job's log budget) read again and retry this often when they lose a race. */
const RACE_ATTEMPTS = 8;
/**
 * An item is at most 400 KB: a longer line is cut (a UTF-16 unit is at most 3 bytes of UTF-8).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
 */
const MAX_LINE_LENGTH = 100_000;

/**
 * The registry on AWS: one DynamoDB table (item shapes and indexes in dynamodb-registry-items.ts),
 * the same behaviour as the SQLite adapter (one contract suite). Every list is a Query on an index,
 * never a Scan; counts are kept, not counted.
 */
export function createDynamoDbRegistry(options: DynamoDbRegistryOptions): Registry {
  const maxLogLinesPerJob = options.maxLogLinesPerJob ?? 2000;
  const deliveryRetainHours = options.deliveryRetainHours ?? 72;
  validateOptions(options.table, maxLogLinesPerJob, deliveryRetainHours);
  const { documents } = options.clients;
  const TableName = options.table.name;
  const sender = createDynamoDbSender(TableName);
  const { send, sendConditional } = sender;
  /** What the helper files need of this table. */
  const table = { documents, tableName: TableName, sender };
  const retainMs = deliveryRetainHours * HOUR_MS;

  async function getItem<T>(key: Key): Promise<T | undefined> {
    const output = await send("GetItem", () =>
      documents.send(new GetCommand({ TableName, Key: key, ConsistentRead: true })),
    );
    return output.Item as T | undefined;
  }

  async function getEnvironment(id: string): Promise<Environment | undefined> {
    const item = await getItem<EnvironmentItem>(registryKeys.environment(id));
    return item && toEnvironment(item);
  }

  async function findEnvironment(identity: EnvironmentIdentity): Promise<Environment | undefined> {
    const link = await getItem<{ environmentId: string }>(registryKeys.identity(formatIdentityKey(identity)));
    return link && getEnvironment(link.environmentId);
  }

  /**
   * Creation is one transaction: the environment item (whose key is its name, so it also claims the
   * name), the identity item (one environment per identity), its sequences, and the counts.
   */
  async function ensureEnvironment(
    identity: EnvironmentIdentity,
    init: { status: EnvironmentStatus; now: Date; nameMaxLength?: number },
  ): Promise<Environment> {
    const identityKey = formatIdentityKey(identity);
    for (let round = 0; round < RACE_ATTEMPTS; round++) {
      const existing = await findEnvironment(identity);
      if (existing) return existing;
      let raced = false;
      // The plain name may belong to another identity (a branch literally named like a hashed name).
      for (const forceHash of [false, true]) {
        const name = nameEnvironment(identity, { maxLength: init.nameMaxLength, forceHash });
        if (await getItem(registryKeys.environment(name))) continue;
        const environment = newEnvironment(identity, name, init.status, init.now);
        const answer = await sendConditional("TransactWriteItems", () =>
          documents.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName, Item: toEnvironmentItem(environment, 1), ConditionExpression: NOT_EXISTS } },
                {
                  Put: {
                    TableName,
                    Item: { ...registryKeys.identity(identityKey), environmentId: environment.id },
                    ConditionExpression: NOT_EXISTS,
                  },
                },
                {
                  Put: {
                    TableName,
                    Item: { ...registryKeys.sequences(environment.id), eventSeq: 0, logSeq: 0 },
                    ConditionExpression: NOT_EXISTS,
                  },
                },
                { Update: countsUpdate({ [environment.status]: 1 }) },
              ],
            }),
          ),
        );
        if ("done" in answer) return environment;
        // The identity was created meanwhile (or no reasons were given): the next round reads it.
        if (answer.failed[0] !== "ConditionalCheckFailed" || answer.failed[1] === "ConditionalCheckFailed") {
          raced = true;
          break;
        }
        // Only the name was taken meanwhile: try the next one.
      }
      if (!raced) break;
    }
    throw new StackforkError("NAME_TAKEN", `no free name for ${identityKey}`, { details: { identity: identityKey } });
  }

  /**
   * Read, check, write back on the version read. A status change moves one count in the same
   * transaction, so the counts never drift from the environments.
   */
  async function updateEnvironment(id: string, patch: EnvironmentPatch, now: Date): Promise<Environment> {
    for (let attempt = 1; attempt <= RACE_ATTEMPTS; attempt++) {
      const item = await getItem<EnvironmentItem>(registryKeys.environment(id));
      if (!item) throw new StackforkError("NOT_FOUND", `no environment ${id}`, { details: { id } });
      const current = toEnvironment(item);
      const next = applyEnvironmentPatch(current, patch, now);
      const put = {
        TableName,
        Item: toEnvironmentItem(next, item.version + 1),
        ConditionExpression: "#version = :version",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":version": item.version },
      };
      const answer =
        current.status === next.status
          ? await sendConditional("PutItem", () => documents.send(new PutCommand(put)))
          : await sendConditional("TransactWriteItems", () =>
              documents.send(
                new TransactWriteCommand({
                  TransactItems: [{ Put: put }, { Update: countsUpdate({ [current.status]: -1, [next.status]: 1 }) }],
                }),
              ),
            );
      if ("done" in answer) return next;
    }
    throw new StackforkError("AWS_REQUEST_FAILED", `environment ${id} kept changing under the update`, {
      details: { id },
    });
  }

  async function countByStatus(): Promise<Partial<Record<EnvironmentStatus, number>>> {
    const item = await getItem<Record<string, unknown>>(registryKeys.counts());
    const counts: Partial<Record<EnvironmentStatus, number>> = {};
    for (const [status, count] of Object.entries(item ?? {})) {
      if (typeof count === "number" && count > 0) counts[status as EnvironmentStatus] = count;
    }
    return counts;
  }

  /** The last of `count` new numbers of an environment's sequence; NOT_FOUND for an unknown environment. */
  async function takeSequence(environmentId: string, sequence: "eventSeq" | "logSeq", count: number) {
    const answer = await sendConditional("UpdateItem", () =>
      documents.send(
        new UpdateCommand({
          TableName,
          Key: registryKeys.sequences(environmentId),
          UpdateExpression: "ADD #sequence :count",
          ConditionExpression: EXISTS,
          ExpressionAttributeNames: { "#sequence": sequence },
          ExpressionAttributeValues: { ":count": count },
          ReturnValues: "UPDATED_NEW",
        }),
      ),
    );
    if ("failed" in answer) throw notFound(environmentId);
    return Number(answer.done.Attributes?.[sequence]);
  }

  async function appendEvent(event: NewHistoryEvent): Promise<HistoryEvent> {
    // Numbered per environment: ids only ever order one environment's trail.
    const stored = toHistoryEvent({ ...event, id: await takeSequence(event.environmentId, "eventSeq", 1) });
    const put = { TableName, Item: { ...registryKeys.event(stored.environmentId, stored.id), ...stored } };
    const { deliveryId } = stored;
    if (deliveryId === undefined) {
      await send("PutItem", () => documents.send(new PutCommand(put)));
      return stored;
    }
    // The event and its delivery's trace together: a delivery that left an event is never taken again as lost.
    await send("TransactWriteItems", () =>
      documents.send(
        new TransactWriteCommand({ TransactItems: [{ Put: put }, { Update: traceDelivery(deliveryId, stored.at) }] }),
      ),
    );
    return stored;
  }

  /** Marks a delivery as traced; the item expires as remembered, or `deliveryRetainHours` after the event. */
  function traceDelivery(deliveryId: string, at: string) {
    const eventMs = Date.parse(at);
    const ttl = Number.isFinite(eventMs) ? epochSeconds(eventMs + retainMs) : undefined;
    return {
      TableName,
      Key: registryKeys.delivery(deliveryId),
      UpdateExpression: `SET #traced = :true${ttl === undefined ? "" : ", #ttl = if_not_exists(#ttl, :ttl)"}`,
      ExpressionAttributeNames: { "#traced": "traced", ...(ttl !== undefined && { "#ttl": "ttl" }) },
      ExpressionAttributeValues: { ":true": true, ...(ttl !== undefined && { ":ttl": ttl }) },
    };
  }

  async function listEvents(environmentId: string, options: { limit?: number }): Promise<HistoryEvent[]> {
    if (options.limit !== undefined) requirePositiveInteger(options.limit, "limit");
    // The newest `limit` events, read backwards, returned oldest first: the tail of the audit trail.
    const items = await queryDynamoDbPartition<HistoryEventItem>(table, {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: {
        ":pk": registryKeys.environmentPk(environmentId),
        ":prefix": registryKeys.eventPrefix,
      },
      ScanIndexForward: options.limit === undefined,
      limit: options.limit,
    });
    const events = items.map(toHistoryEvent);
    return options.limit === undefined ? events : events.reverse();
  }

  /**
   * The job's line budget is claimed first (conditional on the count read), then the seqs are taken
   * (one atomic ADD), then the lines written. A crash in between loses those lines and leaves a gap in
   * the seqs; readers resume after the last seq they saw, so a gap is harmless.
   */
  async function appendLog(environmentId: string, jobId: string, lines: readonly string[], now: Date): Promise<void> {
    const jobKey = registryKeys.logJob(environmentId, jobId);
    for (let attempt = 1; attempt <= RACE_ATTEMPTS; attempt++) {
      const job = await getItem<LogJobItem>(jobKey);
      let seqAfter = job?.seqAfter ?? 0;
      if (!job) {
        const sequences = await getItem<{ logSeq: number }>(registryKeys.sequences(environmentId));
        if (!sequences) throw notFound(environmentId);
        seqAfter = sequences.logSeq;
      }
      if (lines.length === 0 || job?.truncated) return;
      const used = job?.lineCount ?? 0;
      const kept = lines.slice(0, Math.max(0, maxLogLinesPerJob - used));
      const truncated = kept.length < lines.length;
      const claim = await sendConditional("UpdateItem", () =>
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
      if (truncated) {
        texts.push(`[stackfork] log truncated: this job reached ${maxLogLinesPerJob} lines, later lines are dropped`);
      }
      const last = await takeSequence(environmentId, "logSeq", texts.length);
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
    options: { jobId?: string; afterSeq?: number; limit?: number },
  ): Promise<LogLine[]> {
    if (options.limit !== undefined) requirePositiveInteger(options.limit, "limit");
    let after = Math.max(0, Math.floor(options.afterSeq ?? 0));
    let expected: number | undefined;
    if (options.jobId !== undefined) {
      // A job's lines come after its seqAfter: the environment's earlier jobs are not read through.
      const job = await getItem<LogJobItem>(registryKeys.logJob(environmentId, options.jobId));
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

  /**
   * A delivery id is new when unseen, expired (DynamoDB's TTL deletes late, so the condition checks
   * seenAt itself), or seen long enough ago with no history event carrying it (its handler died).
   * With a signature, one transaction also binds it to the id: both are taken, or neither.
   */
  async function rememberDelivery(
    deliveryId: string,
    now: Date,
    options: { signatureDigest?: string } = {},
  ): Promise<DeliveryMemory> {
    const values = {
      ":now": now.getTime(),
      ":ttl": epochSeconds(now.getTime() + retainMs),
      ":expiredBefore": now.getTime() - retainMs,
    };
    const delivery = {
      TableName,
      Key: registryKeys.delivery(deliveryId),
      UpdateExpression: "SET #seenAt = :now, #ttl = :ttl",
      ConditionExpression:
        "attribute_not_exists(#seenAt) OR #seenAt < :expiredBefore OR (#seenAt < :abandonedBefore AND attribute_not_exists(#traced))",
      ExpressionAttributeNames: { "#seenAt": "seenAt", "#ttl": "ttl", "#traced": "traced" },
      ExpressionAttributeValues: { ...values, ":abandonedBefore": now.getTime() - DELIVERY_ABANDONED_AFTER_MS },
    };
    const { signatureDigest } = options;
    if (signatureDigest === undefined) {
      const answer = await sendConditional("UpdateItem", () => documents.send(new UpdateCommand(delivery)));
      return "done" in answer ? "new" : "replayed";
    }
    const signature = {
      TableName,
      Key: registryKeys.signature(signatureDigest),
      UpdateExpression: "SET #seenAt = :now, #ttl = :ttl, #deliveryId = :deliveryId",
      ConditionExpression: "attribute_not_exists(#seenAt) OR #seenAt < :expiredBefore OR #deliveryId = :deliveryId",
      ExpressionAttributeNames: { "#seenAt": "seenAt", "#ttl": "ttl", "#deliveryId": "deliveryId" },
      ExpressionAttributeValues: { ...values, ":deliveryId": deliveryId },
    };
    const answer = await sendConditional("TransactWriteItems", () =>
      documents.send(new TransactWriteCommand({ TransactItems: [{ Update: signature }, { Update: delivery }] })),
    );
    if ("done" in answer) return "new";
    // One reason per item, in order: the signature's condition first.
    return answer.failed[0] === "ConditionalCheckFailed" ? "signature_replayed" : "replayed";
  }

  /** Keeps the item's trace (the history events still carry the id) and TTL; only `seenAt` goes. */
  async function forgetDelivery(deliveryId: string): Promise<void> {
    await sendConditional("UpdateItem", () =>
      documents.send(
        new UpdateCommand({
          TableName,
          Key: registryKeys.delivery(deliveryId),
          UpdateExpression: "REMOVE #seenAt",
          ConditionExpression: EXISTS,
          ExpressionAttributeNames: { "#seenAt": "seenAt" },
        }),
      ),
    );
  }

  /** One item per revoked session, expiring by TTL with the session; reads check `expiresAt` itself. */
  async function revokeSession(sessionId: string, expiresAt: Date): Promise<void> {
    await send("PutItem", () =>
      documents.send(
        new PutCommand({
          TableName,
          Item: {
            ...registryKeys.revokedSession(sessionId),
            expiresAt: expiresAt.getTime(),
            ttl: epochSeconds(expiresAt.getTime()),
          },
        }),
      ),
    );
  }

  async function isSessionRevoked(sessionId: string, now: Date): Promise<boolean> {
    const item = await getItem<RevokedSessionItem>(registryKeys.revokedSession(sessionId));
    return item !== undefined && item.expiresAt > now.getTime();
  }

  /**
   * The counts item: moved by ADD in the very transaction that creates an environment or changes its
   * status, so it is exact (the two commit together or not at all). Cost per write: no extra request,
   * one more item in the transaction (2 write units, as every transactional item), and a status
   * change becomes a transaction (its environment put costs 2 units instead of 1). Cost per page
   * view: countByStatus is one GetItem of a tiny item (1 read unit), where counting would Scan every
   * environment (10,000 items of ~1 KB: 10+ requests and ~1,250 read units, per view).
   */
  function countsUpdate(delta: Partial<Record<EnvironmentStatus, number>>) {
    const entries = Object.entries(delta);
    return {
      TableName,
      Key: registryKeys.counts(),
      UpdateExpression: `ADD ${entries.map((_, i) => `#s${i} :d${i}`).join(", ")}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([status], i) => [`#s${i}`, status])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, count], i) => [`:d${i}`, count])),
    };
  }

  return {
    ensureEnvironment,
    getEnvironment,
    findEnvironment,
    listEnvironments: (query = {}) => listDynamoDbEnvironments(table, query),
    countByStatus,
    updateEnvironment,
    appendEvent,
    listEvents: (environmentId, options = {}) => listEvents(environmentId, options),
    appendLog,
    readLog: (environmentId, options = {}) => readLog(environmentId, options),
    rememberDelivery,
    forgetDelivery,
    revokeSession,
    isSessionRevoked,
    // The clients belong to the caller (shared with the job queue): nothing of the registry's own to close.
    close: async () => {},
  };
}

const NOT_EXISTS = "attribute_not_exists(pk)";
const EXISTS = "attribute_exists(pk)";

function newEnvironment(identity: EnvironmentIdentity, name: string, status: EnvironmentStatus, now: Date) {
  const at = now.toISOString();
  return {
    id: name,
    name,
    kind: identity.kind,
    repository: identity.repository,
    branch: identity.branch,
    ...(identity.kind === "pull_request" && { pullRequest: identity.pullRequest }),
    ...(identity.kind === "sandbox" && { owner: identity.owner }),
    status,
    createdAt: at,
    updatedAt: at,
  } satisfies Environment;
}

/** The item kinds and indexes of dynamodb-registry-items.ts must exist in the table definition. */
function validateOptions(table: TableDefinition, maxLogLinesPerJob: number, deliveryRetainHours: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(maxLogLinesPerJob) || maxLogLinesPerJob < 1) {
    problems.push("maxLogLinesPerJob must be a positive integer");
  }
  if (!(deliveryRetainHours > 0)) problems.push("deliveryRetainHours must be positive");
  if (table.hashKey !== "pk" || table.rangeKey !== "sk") problems.push(`table ${table.name} must be keyed pk, sk`);
  for (const index of Object.values(environmentIndexes)) {
    const found = table.globalSecondaryIndexes.find((gsi) => gsi.name === index.name);
    if (found?.hashKey !== index.pk || found.rangeKey !== index.sk || found.projectionType !== "ALL") {
      problems.push(`table ${table.name} needs index ${index.name} on (${index.pk}, ${index.sk}), projecting ALL`);
    }
  }
  if (table.ttlAttribute !== "ttl") problems.push(`table ${table.name} must expire items by its ttl attribute`);
  if (problems.length > 0) {
    throw new StackforkError("CONFIG_INVALID", `the DynamoDB registry: ${problems.join("; ")}`, {
      details: { problems },
    });
  }
}

function notFound(id: string): StackforkError {
  return new StackforkError("NOT_FOUND", `no environment ${id}`, { details: { id } });
}

function requirePositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new StackforkError("INVALID_INPUT", `${what} must be a positive integer`, { details: { [what]: value } });
  }
}

function epochSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
