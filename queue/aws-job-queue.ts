import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { GetCommand, PutCommand, paginateQuery, type QueryCommandInput, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { AwsResources } from "../aws/aws-resources.ts";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { isConditionFailed, translateAwsError } from "../aws/translate-aws-error.ts";
import { StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { EnqueueInput, EnqueueResult, Job, JobQueue, JobReason, JobType } from "./job-queue.ts";
import { lazyQueueUrl } from "./lazy-queue-url.ts";
import type { WakeBody } from "./parse-wake.ts";

export interface AwsJobQueueOptions {
  clients: Pick<AwsClients, "documents" | "sqs">;
  resources: Pick<AwsResources, "jobsTable" | "wakeQueue">;
  /** Where wakes that could not be sent are reported (the sweep sends them again). */
  log?: Logger;
  /**
   * The clock of calls that take no `now` (complete, retry, releaseAll): it dates the expiry (TTL)
   * of an environment's item once its last job is done. @default () => new Date()
   */
  now?: () => Date;
}

export interface AwsJobQueue extends JobQueue {
  /**
   * Sends a fresh wake for every environment whose first job is claimable now (no live lease,
   * runAfter reached): the sweep that recovers wakes lost to a failed send, a crashed consumer or a
   * retry's backoff (SQS FIFO has no per-message delay). Returns how many it sent.
   */
  rewakeStalled(now: Date): Promise<number>;
}

/*
 * Items of the jobs table (aws-resources.ts):
 *
 * ENV  pk "ENV#<environment id>", sk "JOBS": the environment's pending jobs, in order, in one item
 *      (collapsing keeps it to a few), so every decision the SQLite adapter makes in a transaction is
 *      one read and one conditional write here. `version` grows on every write; a read-modify-write
 *      is conditional on it and starts again on conflict. Only the first job is ever leased: claims
 *      take first jobs only, and a job leaves the front only by being removed.
 *      While jobs remain: gsi1pk "PENDING", gsi1sk "<claimableAt ms, 15 digits>#<first seq>",
 *      claimableAt (queued: runAfter; leased: the lease's expiry), firstSeq, leaseOwner (when leased).
 *      With none left: out of the index, and `ttl` 30 days on (kept, not deleted, so `version` never
 *      starts again at 1 under a writer that read the old item).
 * SEQ  pk "SEQ", sk "SEQ", value: ADD 1 per new job: the global enqueue order and the job ids.
 *
 * Job ids are `job-<seq>@<environment id>`: renewLease, retry and complete find the item from the id
 * alone, with no lookup item to write per job and read per call.
 */
interface StoredJob {
  seq: number;
  type: JobType;
  commitSha?: string;
  reason: JobReason;
  attempt: number;
  enqueuedAt: string;
  /** epoch ms */
  runAfter: number;
  state: "queued" | "running";
  leaseOwner?: string;
  /** epoch ms */
  leaseExpiresAt?: number;
  cancelRequested: boolean;
}

interface EnvironmentItem {
  environmentId: string;
  version: number;
  writeId: string;
  jobs: StoredJob[];
  claimableAt?: number;
  firstSeq?: number;
  leaseOwner?: string;
}

interface Snapshot {
  /** 0: no item yet. */
  version: number;
  writeId?: string;
  jobs: StoredJob[];
}

/** What a read-modify-write decided: `jobs` to write, or none (nothing changes). */
interface Change<T> {
  result: T;
  jobs?: StoredJob[];
}

interface PendingWake {
  environmentId: string;
  job: StoredJob;
  deduplicationId: string;
}

const PENDING = "PENDING";
const SEQ_KEY = { pk: "SEQ", sk: "SEQ" };
const EMPTY_ITEM_TTL_SECONDS = 30 * 86_400;
/** Conflicting writers on one environment are few (webhook, a worker): this many is pathological. */
const MAX_CONFLICTS = 25;
/** SQS FIFO drops a message whose deduplication id it saw in the last 5 minutes. */
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const NAMES = {
  "#jobs": "jobs",
  "#state": "state",
  "#version": "version",
  "#writeId": "writeId",
  "#leaseOwner": "leaseOwner",
  "#leaseExpiresAt": "leaseExpiresAt",
  "#claimableAt": "claimableAt",
  "#gsi1sk": "gsi1sk",
  "#seq": "seq",
};
const HELD_BY = "#jobs[0].#seq = :seq AND #jobs[0].#state = :running AND #jobs[0].#leaseOwner = :owner";

/**
 * The job queue on DynamoDB (the truth: order, collapse, supersede, abort, leases) and SQS FIFO
 * (wakes: "this environment may have work", MessageGroupId = environment). DESIGN.md says why the
 * truth cannot live in SQS: a FIFO queue cannot collapse, drop or delay one message. The clients
 * are the caller's: close() leaves them open.
 */
export function createAwsJobQueue(options: AwsJobQueueOptions): AwsJobQueue {
  const { documents, sqs } = options.clients;
  const table = options.resources.jobsTable.name;
  const index = options.resources.jobsTable.globalSecondaryIndexes[0]?.name ?? "gsi1";
  const queueName = options.resources.wakeQueue.name;
  const queueUrl = lazyQueueUrl(sqs, queueName);
  const clock = options.now ?? (() => new Date());

  async function read(environmentId: string): Promise<Snapshot> {
    try {
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: environmentKey(environmentId), ConsistentRead: true }),
      );
      const item = Item as EnvironmentItem | undefined;
      return item ? { version: item.version, writeId: item.writeId, jobs: item.jobs } : { version: 0, jobs: [] };
    } catch (err) {
      throw translateAwsError(err, `GetItem on ${table}`);
    }
  }

  /**
   * One read-modify-write of an environment's item. `change` sees the jobs as read (consistently)
   * and may change them in place; it runs again on a fresh read when another writer got there first.
   */
  async function mutate<T>(
    environmentId: string,
    change: (jobs: StoredJob[]) => Change<T> | Promise<Change<T>>,
  ): Promise<{ result: T; version: number }> {
    let current = await read(environmentId);
    for (let conflicts = 0; ; conflicts++) {
      const { result, jobs } = await change(current.jobs);
      if (!jobs) return { result, version: current.version };
      const writeId = randomUUID();
      const version = current.version + 1;
      try {
        await documents.send(
          new PutCommand({
            TableName: table,
            Item: environmentItem(environmentId, version, writeId, jobs, clock()),
            ConditionExpression: current.version === 0 ? "attribute_not_exists(pk)" : "#version = :version",
            ...(current.version > 0 && {
              ExpressionAttributeNames: { "#version": "version" },
              ExpressionAttributeValues: { ":version": current.version },
            }),
          }),
        );
        return { result, version };
      } catch (err) {
        if (!isConditionFailed(err)) throw translateAwsError(err, `PutItem on ${table}`);
      }
      current = await read(environmentId);
      // The SDK retried a write whose answer was lost and the retry found its own write: done.
      if (current.writeId === writeId) return { result, version };
      if (conflicts >= MAX_CONFLICTS) {
        throw new StackforkError(
          "AWS_REQUEST_FAILED",
          `${environmentId}'s jobs on ${table} changed under ${MAX_CONFLICTS} writes in a row`,
          { details: { environmentId } },
        );
      }
      await sleep(Math.random() * Math.min(200, 5 * 2 ** conflicts));
    }
  }

  async function nextSeq(): Promise<number> {
    try {
      const { Attributes } = await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: SEQ_KEY,
          UpdateExpression: "ADD #value :one",
          ExpressionAttributeNames: { "#value": "value" },
          ExpressionAttributeValues: { ":one": 1 },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      return Number(Attributes?.value);
    } catch (err) {
      throw translateAwsError(err, `UpdateItem ${SEQ_KEY.pk} on ${table}`);
    }
  }

  /** Every environment with jobs, through the index (eventually consistent on AWS), all pages. */
  async function queryPending(
    input: Pick<QueryCommandInput, "KeyConditionExpression" | "FilterExpression" | "ExpressionAttributeValues"> &
      Partial<Pick<QueryCommandInput, "ExpressionAttributeNames">> = {},
  ): Promise<EnvironmentItem[]> {
    const items: EnvironmentItem[] = [];
    const pages = paginateQuery(
      { client: documents },
      {
        TableName: table,
        IndexName: index,
        KeyConditionExpression: input.KeyConditionExpression ?? "gsi1pk = :pending",
        ...(input.FilterExpression && { FilterExpression: input.FilterExpression }),
        ...(input.ExpressionAttributeNames && { ExpressionAttributeNames: input.ExpressionAttributeNames }),
        ExpressionAttributeValues: { ":pending": PENDING, ...input.ExpressionAttributeValues },
      },
    );
    try {
      for await (const page of pages) items.push(...((page.Items ?? []) as EnvironmentItem[]));
    } catch (err) {
      throw translateAwsError(err, `Query ${index} on ${table}`);
    }
    return items;
  }

  /** Environments whose first job is claimable at `nowMs`, oldest first job first. */
  async function queryClaimable(nowMs: number): Promise<EnvironmentItem[]> {
    const items = await queryPending({
      KeyConditionExpression: "gsi1pk = :pending AND gsi1sk < :after",
      ExpressionAttributeValues: { ":after": padded(nowMs + 1) },
    });
    return items.sort((a, b) => (a.firstSeq ?? 0) - (b.firstSeq ?? 0));
  }

  /**
   * The DynamoDB write has already happened: a wake that cannot be sent (after the SDK's retries)
   * is logged, not thrown, and rewakeStalled sends it again. Failing the caller instead would make
   * the webhook answer an error for a job that is queued.
   */
  async function sendWakes(wakes: PendingWake[]): Promise<{ sent: number; failed: unknown[] }> {
    let sent = 0;
    const failed: unknown[] = [];
    for (let start = 0; start < wakes.length; start += 10) {
      const batch = wakes.slice(start, start + 10);
      try {
        const { Failed = [] } = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: await queueUrl(),
            Entries: batch.map((wake, i) => ({
              Id: String(i),
              MessageBody: JSON.stringify({
                environmentId: wake.environmentId,
                jobId: jobIdOf(wake.environmentId, wake.job),
              } satisfies WakeBody),
              MessageGroupId: sqsId(wake.environmentId),
              MessageDeduplicationId: sqsId(wake.deduplicationId),
            })),
          }),
        );
        sent += batch.length - Failed.length;
        for (const failure of Failed) {
          const wake = batch[Number(failure.Id)];
          failed.push(failure);
          options.log?.warn(
            { environment: wake?.environmentId, code: failure.Code, queue: queueName },
            "wake not sent; the sweep sends it again",
          );
        }
      } catch (err) {
        const error = translateAwsError(err, `SendMessageBatch on ${queueName}`);
        failed.push(error);
        options.log?.warn(
          { err: error, environments: batch.map((w) => w.environmentId) },
          "wakes not sent; the sweep sends them again",
        );
      }
    }
    return { sent, failed };
  }

  /** Leases the environment's first job when it is claimable. */
  async function leaseNext(environmentId: string, owner: string, nowMs: number, leaseMs: number) {
    let takenOver: Job["takenOver"];
    const { result } = await mutate(environmentId, (jobs): Change<StoredJob | undefined> => {
      takenOver = undefined;
      const job = claimableFirst(jobs, nowMs);
      if (!job) return { result: undefined };
      // Leased already and claimable: the lease expired, its worker is gone; this is a new attempt.
      if (job.state === "running") {
        takenOver = {
          owner: job.leaseOwner ?? "",
          leaseExpiredAt: new Date(job.leaseExpiresAt ?? 0).toISOString(),
        };
        job.attempt += 1;
      }
      job.state = "running";
      job.leaseOwner = owner;
      job.leaseExpiresAt = nowMs + leaseMs;
      return { result: job, jobs };
    });
    return result && { ...toJob(environmentId, result), ...(takenOver && { takenOver }) };
  }

  function leaseLost(jobId: string, owner: string): StackforkError {
    return new StackforkError("LEASE_LOST", `${owner} no longer holds ${jobId}`, { details: { jobId, owner } });
  }

  /** An update of the first job, on condition that `owner` holds it; LEASE_LOST otherwise. */
  async function updateHeld(
    jobId: string,
    owner: string,
    update: { expression: string; values: Record<string, unknown> },
  ): Promise<{ item: EnvironmentItem; environmentId: string }> {
    const ref = parseJobId(jobId);
    if (!ref) throw leaseLost(jobId, owner);
    const writeId = randomUUID();
    const expression = update.expression.replace(/^SET /, "SET #version = #version + :one, #writeId = :writeId, ");
    try {
      const { Attributes } = await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: environmentKey(ref.environmentId),
          ConditionExpression: HELD_BY,
          UpdateExpression: expression,
          // DynamoDB refuses names an expression does not use.
          ExpressionAttributeNames: Object.fromEntries(
            Object.entries(NAMES).filter(([name]) => `${HELD_BY} ${expression}`.includes(name)),
          ),
          ExpressionAttributeValues: {
            ":seq": ref.seq,
            ":running": "running",
            ":owner": owner,
            ":one": 1,
            ":writeId": writeId,
            ...update.values,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { item: Attributes as EnvironmentItem, environmentId: ref.environmentId };
    } catch (err) {
      if (!isConditionFailed(err)) throw translateAwsError(err, `UpdateItem on ${table}`);
    }
    // A retry of the SDK whose first try landed finds the job no longer held: that is this write.
    const { Item } = await documents
      .send(new GetCommand({ TableName: table, Key: environmentKey(ref.environmentId), ConsistentRead: true }))
      .catch((err: unknown) => {
        throw translateAwsError(err, `GetItem on ${table}`);
      });
    const item = Item as EnvironmentItem | undefined;
    if (item?.writeId === writeId) return { item, environmentId: ref.environmentId };
    throw leaseLost(jobId, owner);
  }

  return {
    async enqueue(input: EnqueueInput, now: Date): Promise<EnqueueResult> {
      const { environmentId } = input;
      let seq: number | undefined;
      const { result } = await mutate(environmentId, async (jobs) => {
        let kept = jobs;
        let superseded: StoredJob[] = [];
        let abortRequested: StoredJob | undefined;
        if (input.type === "destroy") {
          const isQueuedDeploy = (job: StoredJob) => job.type === "deploy" && job.state === "queued";
          superseded = jobs.filter(isQueuedDeploy);
          kept = jobs.filter((job) => !isQueuedDeploy(job));
          abortRequested = kept.find((job) => job.type === "deploy" && job.state === "running");
          if (abortRequested) abortRequested.cancelRequested = true;
        }
        // Only the environment's last job may absorb a request: a deploy queued before a destroy (a
        // retried one) must not take the newest SHA, or the destroy would run after it and win.
        const last = kept.at(-1);
        if (last?.state === "queued" && last.type === input.type) {
          if (input.commitSha !== undefined) last.commitSha = input.commitSha;
          last.reason = input.reason;
          return { result: { job: last, collapsed: true, superseded, abortRequested }, jobs: kept };
        }
        // A number taken before a lost conflict is kept only while it still sorts last.
        if (seq === undefined || (last !== undefined && seq <= last.seq)) seq = await nextSeq();
        const job = newJob(input, seq, now);
        return { result: { job, collapsed: false, superseded, abortRequested }, jobs: [...kept, job] };
      });
      if (!result.collapsed) {
        await sendWakes([
          { environmentId, job: result.job, deduplicationId: `${jobIdOf(environmentId, result.job)}-1` },
        ]);
      }
      return {
        job: toJob(environmentId, result.job),
        collapsed: result.collapsed,
        superseded: result.superseded.map((job) => toJob(environmentId, job)),
        ...(result.abortRequested && { abortRequested: toJob(environmentId, result.abortRequested) }),
      };
    },

    async enqueueIfIdle(input, now) {
      const { environmentId } = input;
      let seq: number | undefined;
      const { result: job } = await mutate(environmentId, async (jobs): Promise<Change<StoredJob | undefined>> => {
        if (jobs.length > 0) return { result: undefined };
        seq ??= await nextSeq();
        const created = newJob(input, seq, now);
        return { result: created, jobs: [created] };
      });
      if (!job) return undefined;
      await sendWakes([{ environmentId, job, deduplicationId: `${jobIdOf(environmentId, job)}-1` }]);
      return toJob(environmentId, job);
    },

    async claim(owner, now, leaseMs, environmentId) {
      requirePositiveLease(leaseMs);
      const nowMs = now.getTime();
      if (environmentId !== undefined) return leaseNext(environmentId, owner, nowMs, leaseMs);
      // The index may lag (and another worker may be faster): each candidate is read again
      // consistently and leased only if it is still claimable.
      for (const candidate of await queryClaimable(nowMs)) {
        const job = await leaseNext(candidate.environmentId, owner, nowMs, leaseMs);
        if (job) return job;
      }
      return undefined;
    },

    async renewLease(jobId, owner, now, leaseMs) {
      requirePositiveLease(leaseMs);
      const expires = now.getTime() + leaseMs;
      const { item } = await updateHeld(jobId, owner, {
        expression: "SET #jobs[0].#leaseExpiresAt = :expires, #claimableAt = :expires, #gsi1sk = :indexKey",
        values: { ":expires": expires, ":indexKey": indexKey(expires, parseJobId(jobId)?.seq ?? 0) },
      });
      return { cancelRequested: item.jobs[0]?.cancelRequested === true };
    },

    async complete(jobId, owner) {
      const ref = parseJobId(jobId);
      if (!ref) throw leaseLost(jobId, owner);
      const { result: next, version } = await mutate(ref.environmentId, (jobs) => {
        if (!isHeld(jobs[0], ref.seq, owner)) throw leaseLost(jobId, owner);
        const rest = jobs.slice(1);
        return { result: rest[0], jobs: rest };
      });
      // The version makes the id unique to this completion: the next job's own enqueue wake may have
      // been taken (and found it waiting) less than 5 minutes ago, and must not swallow this one.
      if (next) {
        const nextId = jobIdOf(ref.environmentId, next);
        await sendWakes([
          { environmentId: ref.environmentId, job: next, deduplicationId: `${nextId}-${next.attempt}-v${version}` },
        ]);
      }
    },

    async retry(jobId, owner, runAfter) {
      const runAfterMs = runAfter.getTime();
      const { item, environmentId } = await updateHeld(jobId, owner, {
        expression:
          "SET #jobs[0].#state = :queued, #jobs[0].runAfter = :runAfter, #jobs[0].attempt = #jobs[0].attempt + :one, " +
          "#claimableAt = :runAfter, #gsi1sk = :indexKey " +
          "REMOVE #jobs[0].#leaseOwner, #jobs[0].#leaseExpiresAt, #leaseOwner",
        values: {
          ":queued": "queued",
          ":runAfter": runAfterMs,
          ":indexKey": indexKey(runAfterMs, parseJobId(jobId)?.seq ?? 0),
        },
      });
      const job = item.jobs[0];
      // A wake now, although the job waits for runAfter: FIFO queues have no per-message delay. The
      // consumer that finds it not yet due can hide the wake until then (ChangeMessageVisibility),
      // and the sweep sends another once it is due.
      if (job) await sendWakes([{ environmentId, job, deduplicationId: `${jobId}-${job.attempt}` }]);
    },

    async releaseAll(owner) {
      const held = await queryPending({
        FilterExpression: "#leaseOwner = :owner",
        ExpressionAttributeNames: { "#leaseOwner": "leaseOwner" },
        ExpressionAttributeValues: { ":owner": owner },
      });
      const released = await Promise.all(
        held.map(async ({ environmentId }) => {
          const { result: job, version } = await mutate(environmentId, (jobs): Change<StoredJob | undefined> => {
            const first = jobs[0];
            if (first?.state !== "running" || first.leaseOwner !== owner) return { result: undefined };
            // runAfter stays: it was reached when the job was claimed, so it is claimable at once.
            first.state = "queued";
            delete first.leaseOwner;
            delete first.leaseExpiresAt;
            return { result: first, jobs };
          });
          return (
            job && { environmentId, job, deduplicationId: `${jobIdOf(environmentId, job)}-${job.attempt}-v${version}` }
          );
        }),
      );
      const wakes = released.filter((wake) => wake !== undefined);
      await sendWakes(wakes);
      return wakes.length;
    },

    async listPending(environmentId) {
      if (environmentId !== undefined) {
        return (await read(environmentId)).jobs.map((job) => toJob(environmentId, job));
      }
      const jobs = (await queryPending()).flatMap((item) =>
        item.jobs.map((job) => ({ environmentId: item.environmentId, job })),
      );
      return jobs.sort((a, b) => a.job.seq - b.job.seq).map(({ environmentId: id, job }) => toJob(id, job));
    },

    async rewakeStalled(now) {
      const nowMs = now.getTime();
      // A new id per 5-minute window: SQS would drop a repeat of one it saw within 5 minutes.
      const window = Math.floor(nowMs / DEDUPLICATION_WINDOW_MS);
      const wakes = (await queryClaimable(nowMs)).flatMap(({ environmentId, jobs }) => {
        const job = jobs[0];
        return job
          ? [{ environmentId, job, deduplicationId: `${jobIdOf(environmentId, job)}-${job.attempt}-sweep-${window}` }]
          : [];
      });
      const { sent, failed } = await sendWakes(wakes);
      // The sweep is the last resort: its caller (the reaper) must hear that it failed.
      if (failed.length > 0 && sent === 0) throw translateAwsError(failed[0], `SendMessageBatch on ${queueName}`);
      return sent;
    },

    close: async () => {},
  };
}

function newJob(input: EnqueueInput, seq: number, now: Date): StoredJob {
  return {
    seq,
    type: input.type,
    ...(input.commitSha !== undefined && { commitSha: input.commitSha }),
    reason: input.reason,
    attempt: 1,
    enqueuedAt: now.toISOString(),
    runAfter: now.getTime(),
    state: "queued",
    cancelRequested: false,
  };
}

function environmentKey(environmentId: string) {
  return { pk: `ENV#${environmentId}`, sk: "JOBS" };
}

function environmentItem(environmentId: string, version: number, writeId: string, jobs: StoredJob[], now: Date) {
  const base = { ...environmentKey(environmentId), environmentId, version, writeId, jobs };
  const first = jobs[0];
  if (!first) return { ...base, ttl: Math.floor(now.getTime() / 1000) + EMPTY_ITEM_TTL_SECONDS };
  const leased = first.state === "running";
  const claimableAt = leased ? (first.leaseExpiresAt ?? 0) : first.runAfter;
  return {
    ...base,
    gsi1pk: PENDING,
    gsi1sk: indexKey(claimableAt, first.seq),
    claimableAt,
    firstSeq: first.seq,
    ...(leased && { leaseOwner: first.leaseOwner }),
  };
}

/** The first job when it can be claimed at `nowMs`: due, and no other job of the environment leased. */
function claimableFirst(jobs: StoredJob[], nowMs: number): StoredJob | undefined {
  const first = jobs[0];
  if (!first) return undefined;
  const due = first.state === "queued" ? first.runAfter <= nowMs : (first.leaseExpiresAt ?? 0) <= nowMs;
  const otherLeased = jobs.slice(1).some((job) => job.state === "running" && (job.leaseExpiresAt ?? 0) > nowMs);
  return due && !otherLeased ? first : undefined;
}

function isHeld(job: StoredJob | undefined, seq: number, owner: string): boolean {
  return job?.seq === seq && job.state === "running" && job.leaseOwner === owner;
}

function indexKey(claimableAt: number, seq: number): string {
  return `${padded(claimableAt)}#${String(seq).padStart(12, "0")}`;
}

/** Fixed width, so the index's string order is the numbers' order. */
function padded(ms: number): string {
  return String(Math.max(0, ms)).padStart(15, "0");
}

function jobIdOf(environmentId: string, job: StoredJob): string {
  return `job-${job.seq}@${environmentId}`;
}

function parseJobId(jobId: string): { seq: number; environmentId: string } | undefined {
  const match = /^job-(\d+)@(.+)$/s.exec(jobId);
  return match?.[1] && match[2] ? { seq: Number(match[1]), environmentId: match[2] } : undefined;
}

/**
 * MessageGroupId and MessageDeduplicationId allow 1-128 printable ASCII characters, no spaces
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 * Anything else is hashed: the same input always gives the same id, which is all either needs.
 */
function sqsId(raw: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(raw) ? raw : `sha256-${createHash("sha256").update(raw).digest("hex")}`;
}

function toJob(environmentId: string, job: StoredJob): Job {
  return {
    id: jobIdOf(environmentId, job),
    environmentId,
    type: job.type,
    ...(job.commitSha !== undefined && { commitSha: job.commitSha }),
    reason: job.reason,
    attempt: job.attempt,
    enqueuedAt: job.enqueuedAt,
    runAfter: new Date(job.runAfter).toISOString(),
    cancelRequested: job.cancelRequested,
  };
}

function requirePositiveLease(leaseMs: number): void {
  if (!Number.isInteger(leaseMs) || leaseMs < 1) {
    throw new StackforkError("INVALID_INPUT", "leaseMs must be a positive integer", { details: { leaseMs } });
  }
}
