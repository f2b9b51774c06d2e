import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment } from "../../core/environment.ts";
import type { HistoryEvent } from "../../core/history-event.ts";
import { createDashboardHandler } from "../../platform/dashboard-handler.ts";
import { createReaperHandler } from "../../platform/reaper-handler.ts";
import { createWebhookHandler } from "../../platform/webhook-handler.ts";
import { createWorkerHandler } from "../../platform/worker-handler.ts";
import { createAwsStackforkEnv } from "../support/aws-stackfork-env.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { countQueueMessages, listObjectKeys } from "../support/s3-objects.ts";
import { createSqsEventSource } from "../support/sqs-event-source.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { deletePayload, type Payload, pushPayload, signDelivery } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";
const WEBHOOK_SECRET = "lambda-webhook-secret";
const API_TOKEN = "lambda-api-token";

// The four Lambda entry points in one process, on the emulator, with AWS's own event shapes: a
// Function URL event to the webhook, the SQS message handed to the worker as Lambda's SQS event,
// the dashboard's API through its Function URL, the reaper's scheduled run.
describe("the Lambda handlers, on the AWS emulator", () => {
  let work: string;
  let repo: FixtureRepository;
  let aws: Awaited<ReturnType<typeof createAwsStackforkEnv>>;
  let webhook: ReturnType<typeof createWebhookHandler>;
  let worker: ReturnType<typeof createWorkerHandler>;
  let dashboard: ReturnType<typeof createDashboardHandler>;
  let reaper: ReturnType<typeof createReaperHandler>;
  let events: ReturnType<typeof createSqsEventSource>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-lambda-"));
    repo = createFixtureRepository(path.join(work, "repo"));
    aws = await createAwsStackforkEnv("lambda");
    // The webhook secret the way the platform hands it over: a Secrets Manager ARN.
    const secret = await aws.clients.secrets.send(
      new CreateSecretCommand({ Name: `${aws.prefix}/webhook-secret`, SecretString: WEBHOOK_SECRET }),
    );
    const env = {
      ...process.env,
      ...aws.env,
      STACKFORK_DATA_DIR: path.join(work, "tmp-stackfork"),
      STACKFORK_CONFIG_JSON: JSON.stringify({
        repositories: [{ name: REPO, localPath: repo.dir }],
        leaseSeconds: 20,
        warmRunners: 0,
      }),
      GITHUB_WEBHOOK_SECRET_ARN: secret.ARN,
      STACKFORK_API_TOKEN: API_TOKEN,
      LOG_LEVEL: "warn",
    };
    webhook = createWebhookHandler(env);
    worker = createWorkerHandler(env, { deadlineMarginMs: 5_000 });
    dashboard = createDashboardHandler(env);
    reaper = createReaperHandler(env);
    events = createSqsEventSource({ sqs: aws.clients.sqs, queueName: aws.resources.wakeQueue.name, handler: worker });
  });
  afterAll(async () => {
    stopProcessesMentioning(work);
    aws?.clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  async function deliver(event: string, payload: Payload) {
    const delivery = await signDelivery(WEBHOOK_SECRET, event, payload);
    const answer = await webhook({
      headers: delivery.headers,
      body: delivery.body,
      isBase64Encoded: false,
      requestContext: { http: { method: "POST" }, requestId: "test" },
    });
    return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
  }

  async function api<T>(route: string): Promise<T> {
    const [rawPath, rawQueryString = ""] = route.split("?");
    const answer = (await dashboard(
      {
        version: "2.0",
        rawPath,
        rawQueryString,
        headers: { authorization: `Bearer ${API_TOKEN}`, accept: "application/json", host: "dashboard.lambda-url" },
        requestContext: { http: { method: "GET", path: rawPath, sourceIp: "203.0.113.9" }, requestId: "test" },
        isBase64Encoded: false,
      },
      {} as never,
    )) as { statusCode: number; body: string };
    expect(answer.statusCode, answer.body).toBe(200);
    return JSON.parse(answer.body) as T;
  }
  const environment = (id: string) => api<Environment & { events: HistoryEvent[] }>(`/api/environments/${id}`);
  const queuedId = (body: Record<string, unknown>) =>
    (body.queued as { environment: string }[])[0]?.environment as string;

  it("push -> webhook -> SQS -> worker -> ready in the dashboard, URL answers; delete -> destroyed, nothing left", async () => {
    const sha = repo.commit("feature/lambda", "lambda");
    const accepted = await deliver("push", pushPayload(REPO, "feature/lambda", sha));
    expect(accepted.status).toBe(202);
    const id = queuedId(accepted.body);
    await events.pollUntil(async () => ["ready", "failed"].includes((await environment(id)).status));
    const ready = await environment(id);
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");
    const listed = await api<{ environments: Environment[] }>("/api/environments");
    expect(listed.environments.map((e) => [e.id, e.status])).toContainEqual([id, "ready"]);
    expect(await (await fetch(`${ready.url}/`)).json()).toMatchObject({ environment: id, commit: sha });

    repo.deleteBranch("feature/lambda");
    expect((await deliver("delete", deletePayload(REPO, "feature/lambda"))).status).toBe(202);
    await events.pollUntil(async () => ["destroyed", "failed"].includes((await environment(id)).status));
    expect((await environment(id)).status).toBe("destroyed");
    await expect(fetch(`${ready.url}/`)).rejects.toThrow();
    const stacks = await listObjectKeys(aws.clients.s3, aws.bucket, ".pulumi/stacks/");
    // Pulumi keeps its own `.json.bak` of a removed stack; the stack itself is gone.
    expect(stacks.filter((key) => key.endsWith(`/${id}.json`))).toEqual([]);
    expect(await countQueueMessages(aws.clients.sqs, aws.resources.wakeQueue.name)).toBe(0);
  });

  it("stops a deploy that outlives the invocation: DEPLOY_TIMEOUT, handed back, no lock, the next wake finishes it", async () => {
    // A branch whose program takes 25 s before declaring anything: longer than the 20 s invocation.
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo.dir, encoding: "utf8" }).trim();
    git("checkout", "--quiet", "-b", "slow", "main");
    const index = path.join(repo.dir, "stacks/service/index.ts");
    renameSync(index, path.join(repo.dir, "stacks/service/fast-index.ts"));
    writeFileSync(
      index,
      `import program from "./fast-index.ts";\nexport default async function slow() {\n  await new Promise((resolve) => setTimeout(resolve, 25_000));\n  return program();\n}\n`,
    );
    git("add", "-A");
    git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "--quiet", "-m", "slow");
    const sha = git("rev-parse", "HEAD");
    git("checkout", "--quiet", "main");
    expect(readFileSync(index, "utf8")).not.toContain("slow");

    const id = queuedId((await deliver("push", pushPayload(REPO, "slow", sha))).body);
    expect(await events.pollOnce(20_000)).toBe(1);
    const afterFirst = await environment(id);
    const timedOut = afterFirst.events.filter((e) => e.errorCode === "DEPLOY_TIMEOUT");
    expect(timedOut.map((e) => e.type)).toEqual(["retry_scheduled"]);
    const locks = await listObjectKeys(aws.clients.s3, aws.bucket, ".pulumi/locks/");
    expect(locks).toEqual([]);

    // The hand-back queued a wake of its own; with a full invocation the deploy finishes.
    await events.pollUntil(async () => ["ready", "failed"].includes((await environment(id)).status), 180_000);
    const ready = await environment(id);
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");
    expect(ready.commitSha).toBe(sha);
  });

  it("the reaper wakes a job whose wake was deleted unanswered", async () => {
    const sha = repo.commit("lost-wake", "lost");
    const id = queuedId((await deliver("push", pushPayload(REPO, "lost-wake", sha))).body);
    // The wake is lost: received and deleted without the worker seeing it.
    const { QueueUrl } = await aws.clients.sqs.send(
      new GetQueueUrlCommand({ QueueName: aws.resources.wakeQueue.name }),
    );
    const { Messages = [] } = await aws.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    await aws.clients.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages[0]?.ReceiptHandle }));
    expect(await countQueueMessages(aws.clients.sqs, aws.resources.wakeQueue.name)).toBe(0);

    const report = await reaper({});
    expect(report).toMatchObject({ rewoken: 1, errors: [] });
    await events.pollUntil(async () => ["ready", "failed"].includes((await environment(id)).status));
    expect((await environment(id)).status).toBe("ready");
  });
});
