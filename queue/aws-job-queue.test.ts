import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsResources } from "../aws/aws-resources.ts";
import { type AwsClients, createAwsClients } from "../aws/create-aws-clients.ts";
import { createAwsTestResources } from "../test/support/aws-test-resources.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { startThrottlingProxy } from "../test/support/throttling-proxy.ts";
import { type AwsJobQueue, createAwsJobQueue } from "./aws-job-queue.ts";
import { createWakeReceiver } from "./create-wake-receiver.ts";
import { raceClaims } from "./fixtures/race-claims.ts";
import type { EnqueueInput, Job } from "./job-queue.ts";
import { describeJobQueueContract } from "./job-queue-contract.ts";

// A fresh table and queue for every test: the contract wants an empty queue each time.
describeJobQueueContract("dynamodb+sqs", async () => {
  const { clients, resources } = await createAwsTestResources("jobq");
  const queue = createAwsJobQueue({ clients, resources });
  return {
    ...queue,
    close: async () => {
      await queue.close();
      clients.destroy();
    },
  };
});

const t0 = new Date("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const LEASE_MS = 60_000;
const deploy = (environmentId: string, commitSha: string): EnqueueInput => ({
  environmentId,
  type: "deploy",
  commitSha,
  reason: { message: "push" },
});
const destroy = (environmentId: string): EnqueueInput => ({
  environmentId,
  type: "destroy",
  reason: { message: "deleted" },
});

interface ReceivedWake {
  group: string | undefined;
  deduplicationId: string | undefined;
  body: unknown;
}

/** Every message on the queue now, each deleted once read (FIFO hides a group's next one until then). */
async function drainWakes(clients: AwsClients, resources: AwsResources): Promise<ReceivedWake[]> {
  const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: resources.wakeQueue.name }));
  const wakes: ReceivedWake[] = [];
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ["MessageGroupId", "MessageDeduplicationId"],
      }),
    );
    if (Messages.length === 0) return wakes;
    for (const message of Messages) {
      wakes.push({
        group: message.Attributes?.MessageGroupId,
        deduplicationId: message.Attributes?.MessageDeduplicationId,
        body: JSON.parse(message.Body ?? "null"),
      });
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

const byDeduplicationId = (a: ReceivedWake, b: ReceivedWake) =>
  String(a.deduplicationId).localeCompare(String(b.deduplicationId));

describe("createAwsJobQueue", () => {
  let clients: AwsClients;
  let resources: AwsResources;
  let prefix: string;
  let queue: AwsJobQueue;
  beforeEach(async () => {
    ({ clients, resources, prefix } = await createAwsTestResources("jobq-adapter"));
    queue = createAwsJobQueue({ clients, resources });
  });
  afterEach(async () => {
    await queue.close();
    clients.destroy();
  });

  async function claimOrFail(owner: string, now: Date, environmentId?: string): Promise<Job> {
    const job = await queue.claim(owner, now, LEASE_MS, environmentId);
    if (!job) throw new Error(`${owner} expected to claim a job at ${now.toISOString()}`);
    return job;
  }

  it("sends one wake per new job, grouped by environment and deduplicated by job and attempt; a collapse sends none", async () => {
    const a1 = await queue.enqueue(deploy("env-a", "sha-1"), at(0));
    expect((await queue.enqueue(deploy("env-a", "sha-2"), at(1))).collapsed).toBe(true);
    const b1 = await queue.enqueue(deploy("env-b", "sha-3"), at(2));
    const a2 = await queue.enqueue(destroy("env-a"), at(3));
    expect(a2.superseded.map((j) => j.id)).toEqual([a1.job.id]);
    expect((await queue.enqueue(destroy("env-a"), at(4))).collapsed).toBe(true);

    const expected = [a1.job, b1.job, a2.job].map((job) => ({
      group: job.environmentId,
      deduplicationId: `${job.id}-1`,
      body: { environmentId: job.environmentId, jobId: job.id },
    }));
    expect((await drainWakes(clients, resources)).sort(byDeduplicationId)).toEqual(expected.sort(byDeduplicationId));
  });

  it("dates the expiry (TTL) of an environment's emptied item on its injected clock", async () => {
    const clocked = createAwsJobQueue({ clients, resources, now: () => at(100) });
    const { job } = await clocked.enqueue(deploy("env-a", "sha-1"), at(0));
    await clocked.claim("w1", at(0), LEASE_MS);
    await clocked.complete(job.id, "w1");
    const { Item } = await clients.documents.send(
      new GetCommand({
        TableName: resources.jobsTable.name,
        Key: { pk: "ENV#env-a", sk: "JOBS" },
        ConsistentRead: true,
      }),
    );
    expect(Item?.ttl).toBe(Math.floor(at(100).getTime() / 1000) + 30 * 86_400);
  });

  it("wakes the job enqueueIfIdle queues, and sends nothing when it queues none", async () => {
    const job = await queue.enqueueIfIdle(destroy("env-a"), at(0));
    expect(await queue.enqueueIfIdle(destroy("env-a"), at(1))).toBeUndefined();
    expect(await drainWakes(clients, resources)).toEqual([
      { group: "env-a", deduplicationId: `${job?.id}-1`, body: { environmentId: "env-a", jobId: job?.id } },
    ]);
  });

  it("wakes a retried job's new attempt, and the environment's next job when one completes", async () => {
    const first = await queue.enqueue(deploy("env-a", "sha-1"), at(0));
    await claimOrFail("w1", at(0), "env-a");
    const second = await queue.enqueue(destroy("env-a"), at(1));
    await drainWakes(clients, resources);

    await queue.retry(first.job.id, "w1", at(10));
    expect(await drainWakes(clients, resources)).toEqual([
      { group: "env-a", deduplicationId: `${first.job.id}-2`, body: { environmentId: "env-a", jobId: first.job.id } },
    ]);

    expect(await claimOrFail("w1", at(10), "env-a")).toMatchObject({ id: first.job.id, attempt: 2 });
    await queue.complete(first.job.id, "w1");
    const afterComplete = await drainWakes(clients, resources);
    expect(afterComplete).toMatchObject([{ group: "env-a", body: { environmentId: "env-a", jobId: second.job.id } }]);
    // Not the destroy's enqueue id: SQS would drop it as a repeat within 5 minutes of that wake.
    expect(afterComplete[0]?.deduplicationId).not.toBe(`${second.job.id}-1`);

    await claimOrFail("w1", at(11), "env-a");
    await queue.complete(second.job.id, "w1");
    expect(await drainWakes(clients, resources)).toEqual([]);
  });

  it("wakes each job releaseAll hands back", async () => {
    const a = await queue.enqueue(deploy("env-a", "sha-1"), at(0));
    const b = await queue.enqueue(deploy("env-b", "sha-2"), at(0));
    await claimOrFail("w1", at(1));
    await claimOrFail("w1", at(1));
    await drainWakes(clients, resources);
    expect(await queue.releaseAll("w1")).toBe(2);
    const wakes = await drainWakes(clients, resources);
    expect(wakes.map((w) => w.body)).toHaveLength(2);
    expect(wakes.map((w) => w.body)).toEqual(
      expect.arrayContaining([a.job, b.job].map((job) => ({ environmentId: job.environmentId, jobId: job.id }))),
    );
  });

  it("rewakes an environment whose wake was taken and never answered, not one under a live lease or backing off", async () => {
    const a = await queue.enqueue(deploy("env-a", "sha-1"), at(0));
    await queue.enqueue(deploy("env-b", "sha-2"), at(0));
    const c = await queue.enqueue(deploy("env-c", "sha-3"), at(0));
    await claimOrFail("w1", at(0), "env-b");
    await claimOrFail("w1", at(0), "env-c");
    await queue.retry(c.job.id, "w1", at(200));
    // Every wake deleted unanswered: a consumer that crashed after deleting, or a send that failed.
    await drainWakes(clients, resources);

    expect(await queue.rewakeStalled(at(1))).toBe(1);
    const woken = await drainWakes(clients, resources);
    expect(woken).toMatchObject([{ group: "env-a", body: { environmentId: "env-a", jobId: a.job.id } }]);
    expect(woken[0]?.deduplicationId).not.toBe(`${a.job.id}-1`);

    // Five minutes on, env-b's lease has expired and env-c's backoff is over: all three again.
    expect(await queue.rewakeStalled(at(301))).toBe(3);
    expect((await drainWakes(clients, resources)).map((w) => w.group).sort()).toEqual(["env-a", "env-b", "env-c"]);
  });

  it("hands environments with any id to SQS: ids SQS refuses become a stable hash", async () => {
    const odd = `späce and ${"x".repeat(140)}`;
    const job = await queue.enqueue(deploy(odd, "sha-1"), at(0));
    await queue.enqueue(deploy("plain", "sha-2"), at(0));
    const wakes = await drainWakes(clients, resources);
    const oddWake = wakes.find((w) => (w.body as { environmentId: string }).environmentId === odd);
    expect(oddWake?.group).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(oddWake?.deduplicationId).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(await claimOrFail("w1", at(1), odd)).toMatchObject({ id: job.job.id });
    expect(await queue.renewLease(job.job.id, "w1", at(2), LEASE_MS)).toEqual({ cancelRequested: false });
    await queue.complete(job.job.id, "w1");
    expect(await queue.listPending(odd)).toEqual([]);
  });

  it("never lets several processes claim a job twice, or two jobs of one environment", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "stackfork-aws-queue-"));
    try {
      const environments = 10;
      for (let i = 0; i < environments; i++) await queue.enqueue(destroy(`env-${i}`), at(0));
      for (let i = 0; i < environments; i++) await queue.enqueue(deploy(`env-${i}`, `sha-${i}`), at(0));
      const jobs = await queue.listPending();
      expect(jobs).toHaveLength(2 * environments);

      const ledgerFile = path.join(dir, "ledger.db");
      const { violations, claims } = await raceClaims({
        queue: ["aws", prefix],
        ledgerFile,
        workers: ["p1", "p2", "p3"],
        now: at(1),
      });

      expect(violations).toEqual([]);
      expect(claims.map((c) => c.job_id).sort()).toEqual(jobs.map((j) => j.id).sort());
      for (let i = 0; i < environments; i++) {
        expect(claims.filter((c) => c.environment_id === `env-${i}`).map((c) => c.type)).toEqual(["destroy", "deploy"]);
      }
      expect(await queue.listPending()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("createAwsJobQueue under throttling", () => {
  it("loses nothing when DynamoDB and SQS throttle a quarter of the requests", async () => {
    const { clients: direct, resources } = await createAwsTestResources("jobq-throttled");
    const proxy = await startThrottlingProxy({
      target: process.env.AWS_ENDPOINT_URL ?? "",
      share: { dynamodb: 0.25, sqs: 0.25 },
    });
    const throttled = createAwsClients({ endpoint: proxy.url });
    try {
      const queue = createAwsJobQueue({ clients: throttled, resources });
      const environments = Array.from({ length: 8 }, (_, i) => `env-${i}`);
      // A burst: every environment at once, each a deploy, a second push and a destroy in a row.
      const results = await Promise.all(
        environments.map(async (environmentId, i) => {
          const first = await queue.enqueue(deploy(environmentId, `sha-${i}-1`), at(0));
          const second = await queue.enqueue(deploy(environmentId, `sha-${i}-2`), at(1));
          const last = await queue.enqueue(destroy(environmentId), at(2));
          return { first, second, last };
        }),
      );
      for (const { first, second, last } of results) {
        expect([first.collapsed, second.collapsed, last.collapsed]).toEqual([false, true, false]);
        expect(last.superseded.map((j) => j.id)).toEqual([first.job.id]);
      }
      const destroys = results.map((r) => r.last.job.id).sort();
      expect((await queue.listPending()).map((j) => j.id).sort()).toEqual(destroys);

      // Four workers race until nothing is left: each job claimed once.
      const claimed: string[] = [];
      await Promise.all(
        ["w1", "w2", "w3", "w4"].map(async (owner) => {
          for (;;) {
            const job = await queue.claim(owner, at(3), LEASE_MS);
            if (!job) return;
            claimed.push(job.id);
            await queue.complete(job.id, owner);
          }
        }),
      );
      expect(claimed.sort()).toEqual(destroys);
      expect(await queue.listPending()).toEqual([]);

      // Every new job's wake arrived, once.
      const wakes = await drainWakes(direct, resources);
      expect(wakes.map((w) => w.deduplicationId).sort()).toEqual(
        results.flatMap((r) => [`${r.first.job.id}-1`, `${r.last.job.id}-1`]).sort(),
      );
      expect(proxy.counters.throttled.dynamodb).toBeGreaterThan(10);
      expect(proxy.counters.throttled.sqs).toBeGreaterThan(2);
    } finally {
      throttled.destroy();
      direct.destroy();
      await proxy.close();
    }
  });
});

describe("createAwsJobQueue when SQS cannot be reached", () => {
  it("keeps the job when its wake cannot be sent, says so, and the sweep sends the wake", async () => {
    const { clients: direct, resources } = await createAwsTestResources("jobq-no-sqs");
    const proxy = await startThrottlingProxy({ target: process.env.AWS_ENDPOINT_URL ?? "", share: { sqs: 1 } });
    const noSqs = createAwsClients({ endpoint: proxy.url, maxAttempts: 2 });
    try {
      const log = createRecordingLogger();
      const queue = createAwsJobQueue({ clients: noSqs, resources, log });
      const { job } = await queue.enqueue(deploy("env-a", "sha-1"), at(0));
      expect(await queue.listPending()).toStrictEqual([job]);
      expect(log.records.filter((r) => r.level === "warn")).toHaveLength(1);
      expect(await drainWakes(direct, resources)).toEqual([]);

      expect(await createAwsJobQueue({ clients: direct, resources }).rewakeStalled(at(1))).toBe(1);
      expect(await drainWakes(direct, resources)).toMatchObject([{ group: "env-a", body: { jobId: job.id } }]);
      expect(proxy.counters.throttled.sqs).toBeGreaterThan(0);
    } finally {
      noSqs.destroy();
      direct.destroy();
      await proxy.close();
    }
  });
});

describe("createAwsJobQueue when answers are lost", () => {
  it("recognizes its own writes when the SDK retries a request that was applied but not answered", async () => {
    const { clients: direct, resources } = await createAwsTestResources("jobq-lost");
    const proxy = await startThrottlingProxy({
      target: process.env.AWS_ENDPOINT_URL ?? "",
      share: {},
      loseAnswers: { dynamodb: 0.2, sqs: 0.34 },
    });
    const lossy = createAwsClients({ endpoint: proxy.url });
    try {
      const queue = createAwsJobQueue({ clients: lossy, resources });
      const environments = Array.from({ length: 6 }, (_, i) => `env-${i}`);
      const ids = await Promise.all(
        environments.map(async (environmentId, i) => {
          const owner = `w${i}`;
          const first = await queue.enqueue(deploy(environmentId, `sha-${i}-1`), at(0));
          expect((await queue.enqueue(deploy(environmentId, `sha-${i}-2`), at(0))).collapsed).toBe(true);
          const job = await queue.claim(owner, at(1), LEASE_MS, environmentId);
          expect(job).toMatchObject({ id: first.job.id, attempt: 1, commitSha: `sha-${i}-2` });
          expect(await queue.renewLease(first.job.id, owner, at(2), LEASE_MS)).toEqual({ cancelRequested: false });
          await queue.retry(first.job.id, owner, at(3));
          expect(await queue.claim(owner, at(3), LEASE_MS, environmentId)).toMatchObject({ attempt: 2 });
          await queue.complete(first.job.id, owner);
          expect(await queue.listPending(environmentId)).toEqual([]);
          return first.job.id;
        }),
      );
      // One wake per new job and one per retry, none twice: SQS dropped the retried sends by id.
      expect((await drainWakes(direct, resources)).map((w) => w.deduplicationId).sort()).toEqual(
        ids.flatMap((id) => [`${id}-1`, `${id}-2`]).sort(),
      );
      expect(proxy.counters.lost.dynamodb).toBeGreaterThan(5);
      expect(proxy.counters.lost.sqs).toBeGreaterThan(1);
    } finally {
      lossy.destroy();
      direct.destroy();
      await proxy.close();
    }
  });
});

describe("createWakeReceiver", () => {
  let clients: AwsClients;
  let resources: AwsResources;
  beforeAll(async () => {
    ({ clients, resources } = await createAwsTestResources("wakes"));
  });
  afterAll(() => clients.destroy());

  it("long-polls wakes, hands one back with extend(0), and deletes it on acknowledge", async () => {
    const queue = createAwsJobQueue({ clients, resources });
    const { job } = await queue.enqueue(deploy("env-a", "sha-1"), at(0));
    const receiver = createWakeReceiver({ clients, queue: resources.wakeQueue });
    const options = { max: 10, waitSeconds: 1, visibilitySeconds: 30 };

    const [wake, ...more] = await receiver.receive(options);
    expect(more).toEqual([]);
    expect(wake).toMatchObject({ environmentId: "env-a", jobId: job.id, receiveCount: 1 });
    if (!wake) throw new Error("expected a wake");
    expect(typeof wake.receiptHandle).toBe("string");
    expect(typeof wake.messageId).toBe("string");

    await receiver.extend(wake, 0);
    const [again] = await receiver.receive(options);
    expect(again).toMatchObject({ messageId: wake.messageId, receiveCount: 2 });
    if (!again) throw new Error("expected the wake again");
    await receiver.acknowledge(again);
    expect(await receiver.receive({ ...options, waitSeconds: 0 })).toEqual([]);
  });

  it("acknowledges and drops a malformed message, logging why, without throwing", async () => {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: resources.wakeQueue.name }));
    for (const [i, body] of ["not json", "[1]", JSON.stringify({ jobId: "job-1" })].entries()) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: body,
          MessageGroupId: "g",
          MessageDeduplicationId: `bad-${i}`,
        }),
      );
    }
    const log = createRecordingLogger();
    const receiver = createWakeReceiver({ clients, queue: resources.wakeQueue, log });
    expect(await receiver.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 30 })).toEqual([]);
    expect(log.records.filter((r) => r.level === "warn").map((r) => r.fields.reason)).toHaveLength(3);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    expect([Attributes?.ApproximateNumberOfMessages, Attributes?.ApproximateNumberOfMessagesNotVisible]).toEqual([
      "0",
      "0",
    ]);
  });

  it("refuses options SQS would refuse with INVALID_INPUT", async () => {
    const receiver = createWakeReceiver({ clients, queue: resources.wakeQueue });
    const error = await receiver.receive({ max: 11, waitSeconds: 0, visibilitySeconds: 30 }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("INVALID_INPUT");
  });
});
