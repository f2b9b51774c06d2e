import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsStackforkEnv } from "../support/aws-stackfork-env.ts";
import { type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { expectBurstCollapses } from "../support/expect-burst-collapses.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { countQueueMessages, listObjectKeys } from "../support/s3-objects.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { deletePayload, pushPayload } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";

// `stackfork serve` with STACKFORK_STORE=aws on the emulator: the registry in DynamoDB, jobs in
// DynamoDB woken through SQS FIFO, the Pulumi state in S3 with KMS secrets. Real engine, real server.
describe("stackfork serve on the AWS adapters", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;
  let aws: Awaited<ReturnType<typeof createAwsStackforkEnv>>;
  const start = () =>
    startEmbeddedServer({
      dataDir,
      repositories: [{ name: REPO, localPath: repo.dir }],
      extraConfig: { leaseSeconds: 20, reapIntervalSeconds: 5 },
      env: aws.env,
    });
  const queuedId = (body: Record<string, unknown>) =>
    (body.queued as { environment: string }[])[0]?.environment as string;
  const stackObjects = async (id: string) =>
    (await listObjectKeys(aws.clients.s3, aws.bucket, ".pulumi/stacks/")).filter((key) => key.endsWith(`/${id}.json`));

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-aws-e2e-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    aws = await createAwsStackforkEnv("serve");
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    aws?.clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("push -> ready -> the URL answers -> delete -> destroyed, queues empty, no stack object left", async () => {
    const sha = repo.commit("feature/aws", "aws");
    const accepted = await server.deliver("push", pushPayload(REPO, "feature/aws", sha));
    expect(accepted.status).toBe(202);
    const id = queuedId(accepted.body);
    const ready = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed");
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");
    expect(ready.commitSha).toBe(sha);
    expect(await (await fetch(`${ready.directUrl}/`)).json()).toMatchObject({ environment: id, commit: sha });
    expect(await stackObjects(id)).toHaveLength(1);

    repo.deleteBranch("feature/aws");
    expect((await server.deliver("delete", deletePayload(REPO, "feature/aws"))).status).toBe(202);
    const destroyed = await server.waitFor(id, (e) => e.status === "destroyed" || e.status === "failed");
    expect(destroyed.status, JSON.stringify(destroyed.lastError)).toBe("destroyed");
    await expect(fetch(`${ready.directUrl}/`)).rejects.toThrow();
    expect(await stackObjects(id)).toEqual([]);
    // Every wake was answered: nothing waits in the queue, nothing went to the dead-letter queue.
    const deadline = Date.now() + 30_000;
    while ((await countQueueMessages(aws.clients.sqs, aws.resources.wakeQueue.name)) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await countQueueMessages(aws.clients.sqs, aws.resources.wakeQueue.name)).toBe(0);
    expect(await countQueueMessages(aws.clients.sqs, aws.resources.deadLetterQueue.name)).toBe(0);
  });

  it("collapses a burst of 10 pushes into at most 2 engine runs, ending on the last commit", async () => {
    await expectBurstCollapses(server, repo, REPO);
  });

  it("kill -9 during a deploy, restart: ready at the pushed commit", { timeout: 300_000 }, async () => {
    const sha = repo.commit("crash", "crash");
    const id = queuedId((await server.deliver("push", pushPayload(REPO, "crash", sha))).body);
    await server.waitFor(id, (e) => e.events.some((event) => event.type === "deploy_started"), 60_000);
    await server.stop("SIGKILL");
    server = await start();
    // The killed server's wake comes back once its visibility runs out; its lease and the stack's
    // lock are recovered by the new server.
    const env = await server.waitFor(
      id,
      (e) => (e.status === "ready" && e.commitSha === sha) || e.status === "failed",
      240_000,
    );
    expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
    expect(await (await fetch(`${env.directUrl}/`)).json()).toMatchObject({ commit: sha });
  });
});
