// The AWS adapters against the embedded default, same run (BENCHMARKS.md): `stackfork serve` with
// STACKFORK_STORE=aws on the AWS emulator (registry and jobs in DynamoDB, wakes through SQS FIFO,
// Pulumi state in S3 with KMS secrets) and with the SQLite default, each given the same pushes.
// Measures time to preview (push -> ready), intake latency, and the AWS requests per webhook and
// per deploy (what AWS bills), counted by a proxy in front of the emulator.
//   npm run bench:aws -- [--rounds 3] [--pushes 100]
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { defineAwsResources } from "../aws/aws-resources.ts";
import { bootstrapAwsResources } from "../aws/bootstrap-aws-resources.ts";
import { createAwsClients } from "../aws/create-aws-clients.ts";
import { createStoreClients } from "../aws/create-store-clients.ts";
import { createAwsJobQueue } from "../queue/aws-job-queue.ts";
import { createDynamoDbRegistry } from "../registry/dynamodb-registry.ts";
import { type EmbeddedServer, startEmbeddedServer, WEBHOOK_SECRET } from "../test/support/embedded-server.ts";
import { createFixtureRepository } from "../test/support/fixture-repository.ts";
import { stopProcessesMentioning } from "../test/support/stack-state.ts";
import { startAwsEmulator } from "../test/support/start-aws-emulator.ts";
import { startThrottlingProxy } from "../test/support/throttling-proxy.ts";
import { pushPayload, signDelivery } from "../test/support/webhook-deliveries.ts";
import { receiveDelivery } from "../webhook/receive-delivery.ts";
import { formatSeconds, median, percentile } from "./summarize-times.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    pushes: { type: "string", default: "100" },
    concurrency: { type: "string", default: "4" },
  },
});
const rounds = Number(values.rounds);
const pushes = Number(values.pushes);
const concurrency = Number(values.concurrency);
const REPO = "acme/bench";

const work = mkdtempSync(path.join(tmpdir(), "stackfork-bench-aws-"));
const emulator = await startAwsEmulator();
// Share 0: forwards everything, counts every request per service.
const proxy = await startThrottlingProxy({ target: emulator.endpoint, share: {} });
const servers: EmbeddedServer[] = [];
try {
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_ENDPOINT_URL: proxy.url,
  });
  const prefix = `bench-${Date.now().toString(36)}`;
  const query = `region=us-east-1&endpoint=${encodeURIComponent(proxy.url)}`;
  const awsEnv = {
    STACKFORK_STORE: "aws",
    STACKFORK_AWS_PREFIX: prefix,
    STACKFORK_STATE_URL: `s3://${prefix}-state?${query}&s3ForcePathStyle=true`,
    STACKFORK_SECRETS_PROVIDER: `awskms://alias/${prefix}?${query}`,
  };
  const clients = createAwsClients();
  await bootstrapAwsResources({
    clients,
    resources: defineAwsResources(prefix),
    stateUrl: awsEnv.STACKFORK_STATE_URL,
    secretsProvider: awsEnv.STACKFORK_SECRETS_PROVIDER,
  });
  clients.destroy();

  const results = [];
  for (const store of ["sqlite", "aws"] as const) {
    const repo = createFixtureRepository(path.join(work, `repo-${store}`));
    const server = await startEmbeddedServer({
      dataDir: path.join(work, `data-${store}`),
      repositories: [{ name: REPO, localPath: repo.dir }],
      // No sweep in the way of the counts: the re-wake sweep runs once an hour here.
      extraConfig: { concurrency: 2, reapIntervalSeconds: 3600 },
      env: store === "aws" ? awsEnv : {},
    });
    servers.push(server);
    const idOf = (body: Record<string, unknown>) =>
      (body.queued as { environment: string }[])[0]?.environment as string;
    const snapshot = () => ({ ...proxy.counters.requests });
    const total = () => proxy.counters.requests.dynamodb + proxy.counters.requests.sqs + proxy.counters.requests.other;
    const since = (before: ReturnType<typeof snapshot>) =>
      `${total() - before.dynamodb - before.sqs - before.other} (DynamoDB ${proxy.counters.requests.dynamodb - before.dynamodb}, SQS ${proxy.counters.requests.sqs - before.sqs}, S3 + KMS ${proxy.counters.requests.other - before.other})`;

    // 1. Time to preview, and the requests of one webhook and of one deploy.
    const previews: number[] = [];
    const perWebhook: string[] = [];
    const perDeploy: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const sha = repo.commit(`preview-${i}`, `preview ${i}`);
      const before = snapshot();
      const started = performance.now();
      const { body } = await server.deliver("push", pushPayload(REPO, `preview-${i}`, sha));
      perWebhook.push(since(before));
      const afterIntake = snapshot();
      await server.waitFor(idOf(body), (e) => e.status === "ready" && e.commitSha === sha, 300_000);
      previews.push(performance.now() - started);
      perDeploy.push(since(afterIntake));
    }

    // 2. Intake latency: pushes to one branch, `concurrency` at a time (after the first, each
    // collapses). Their commits are not in the clone, so each deploy fails at once (SOURCE_NOT_FOUND)
    // and no engine runs meanwhile: on the emulator, one Python process, an engine's S3 writes would
    // be what is measured, not the intake.
    const latencies: number[] = [];
    const shas = Array.from(
      { length: pushes },
      (_, i) => `${store === "aws" ? "a" : "b"}${i.toString(16).padStart(39, "0")}`,
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < shas.length) {
          const sha = shas[next++] as string;
          const started = performance.now();
          const answer = await server.deliver("push", pushPayload(REPO, "intake", sha));
          latencies.push(performance.now() - started);
          if (answer.status !== 202)
            throw new Error(`intake answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        }
      }),
    );
    results.push({
      store,
      preview: median(previews),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      perWebhook,
      perDeploy,
    });
    await server.stop();
  }

  // 3. The same intake in this process, straight on the adapters, nothing else on the emulator: what
  // the emulator's own pace allows, one at a time and `concurrency` at a time.
  const inProcess = await measureIntakeInProcess(prefix, concurrency);

  const [sqlite, aws] = results;
  if (!sqlite || !aws) throw new Error("a store did not run");
  console.log("### The AWS adapters against the embedded default (emulator on loopback)\n");
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}. Command: \`npm run bench:aws -- --rounds ${rounds} --pushes ${pushes} --concurrency ${concurrency}\`. Target local; the AWS side talks to moto through a counting proxy.\n`,
  );
  console.log("| measure | sqlite (embedded) | aws adapters | ratio |\n|---|---|---|---|");
  console.log(
    `| time to preview (push -> ready), median of ${rounds} | ${formatSeconds(sqlite.preview)} | ${formatSeconds(aws.preview)} | ${(aws.preview / sqlite.preview).toFixed(2)}x |`,
  );
  console.log(
    `| intake p50 / p99, ${pushes} pushes to one branch, ${concurrency} at a time | ${sqlite.p50.toFixed(1)} / ${sqlite.p99.toFixed(1)} ms | ${aws.p50.toFixed(1)} / ${aws.p99.toFixed(1)} ms | ${(aws.p99 / sqlite.p99).toFixed(2)}x (p99) |`,
  );
  for (const row of inProcess) {
    console.log(
      `| intake p50 / p99 in-process on the AWS adapters, nothing else on the emulator, ${row.concurrency} at a time | | ${row.p50.toFixed(1)} / ${row.p99.toFixed(1)} ms (${row.requests.toFixed(1)} requests a push) | |`,
    );
  }
  console.log(`| AWS requests per webhook (a push to a new branch), each round | | ${aws.perWebhook.join("; ")} | |`);
  console.log(
    `| AWS requests per deploy (wake to ready, the engine's included), each round | | ${aws.perDeploy.join("; ")} | |`,
  );
} finally {
  for (const server of servers) await server.stop().catch(() => undefined);
  stopProcessesMentioning(work);
  await proxy.close();
  await emulator.stop();
  rmSync(work, { recursive: true, force: true });
}

async function measureIntakeInProcess(prefix: string, concurrency: number) {
  const clients = createStoreClients();
  const resources = defineAwsResources(prefix);
  const deps = {
    registry: createDynamoDbRegistry({ clients, table: resources.registryTable }),
    queue: createAwsJobQueue({ clients, resources }),
    nameMaxLength: 40,
    webhookSecrets: [WEBHOOK_SECRET],
    findRepository: () => ({
      name: "acme/inproc",
      stackPath: "stacks/service",
      defaultBranch: "main",
      target: "local" as const,
      ttlHours: 72,
    }),
    log: pino({ level: "silent" }),
    now: () => new Date(),
    notifier: { notify: async () => {} },
  };
  const rows = [];
  for (const n of [1, concurrency]) {
    const latencies: number[] = [];
    const before = proxy.counters.requests.dynamodb + proxy.counters.requests.sqs;
    let next = 0;
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (next < 40) {
          const sha = `c${n}${(next++).toString(16).padStart(38, "0")}`;
          const delivery = await signDelivery(WEBHOOK_SECRET, "push", pushPayload("acme/inproc", `inproc-${n}`, sha));
          const started = performance.now();
          await receiveDelivery(deps, { getHeader: (name) => delivery.headers[name], rawBody: delivery.body });
          latencies.push(performance.now() - started);
        }
      }),
    );
    const requests = (proxy.counters.requests.dynamodb + proxy.counters.requests.sqs - before) / 40;
    rows.push({ concurrency: n, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), requests });
  }
  clients.destroy();
  return rows;
}
