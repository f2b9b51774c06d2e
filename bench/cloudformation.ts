// CloudFormation copies (issue 18), on the AWS emulator (moto's server):
// 1. push -> CREATE_COMPLETE through stackfork (webhook, queue, engine, inline program, dynamic
//    provider) against a direct CreateStack + the SDK's waiter of the same packaged template, same
//    run, rounds interleaved: the platform's overhead as a ratio;
// 2. packaging a 20 MB code folder: the first time (zip + upload) and unchanged (zip, nothing uploaded).
// Run: npm run bench:cloudformation   (ROUNDS=5 by default; prints a Markdown section for BENCHMARKS.md)
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { createArtifactStore } from "../cloudformation/artifact-store.ts";
import { packageTemplate } from "../cloudformation/package-template.ts";
import { readTemplate } from "../cloudformation/read-template.ts";
import { createCloudFormationFixtureRepository } from "../test/support/cloudformation-fixture-repository.ts";
import { type EmbeddedServer, startEmbeddedServer } from "../test/support/embedded-server.ts";
import { stopProcessesMentioning } from "../test/support/stack-state.ts";
import { startAwsEmulator } from "../test/support/start-aws-emulator.ts";
import { pushPayload } from "../test/support/webhook-deliveries.ts";
import { formatSeconds, median } from "./summarize-times.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const REPO = "acme/bench";
const work = mkdtempSync(path.join(tmpdir(), "stackfork-bench-cfn-"));
const emulator = await startAwsEmulator();
Object.assign(process.env, {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_ENDPOINT_URL: emulator.endpoint,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
});
const cfn = new CloudFormationClient({});
const s3 = new S3Client({ forcePathStyle: true });
let server: EmbeddedServer | undefined;
try {
  const repo = createCloudFormationFixtureRepository(path.join(work, "repo"));
  server = await startEmbeddedServer({
    dataDir: path.join(work, "data"),
    repositories: [
      {
        name: REPO,
        localPath: repo.dir,
        cloudformation: {
          template: "plain/template.yaml",
          urlOutput: "ApiUrl",
          parameters: { ApiKey: "bench" },
          capabilities: ["CAPABILITY_IAM"],
        },
      },
    ],
    extraConfig: { concurrency: 1 },
    env: { STACKFORK_SHARE_PLATFORM_CREDENTIALS: "true" },
  });

  // The same template, packaged once for the direct runs (its code in a bucket of its own).
  const bucket = `bench-direct-${Date.now().toString(36)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const direct = await packageTemplate(
    readTemplate(readFileSync(path.join(repo.dir, "plain/template.yaml"), "utf8"), "template.yaml"),
    {
      templateDir: path.join(repo.dir, "plain"),
      root: repo.dir,
      store: createArtifactStore(s3, { bucket, prefix: "direct/", region: "us-east-1" }),
    },
  );
  const body = JSON.stringify(direct.template);

  const viaStackfork: number[] = [];
  const viaSdk: number[] = [];
  const timelines: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const branch = `bench-${round}`;
    const sha = repo.commit(branch, { "NOTE.txt": `${round}\n` });
    let started = performance.now();
    const { body: answer } = await server.deliver("push", pushPayload(REPO, branch, sha));
    const id = (answer.queued as { environment: string }[])[0]?.environment as string;
    const env = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed", 300_000);
    if (env.status !== "ready") throw new Error(JSON.stringify(env.lastError));
    viaStackfork.push(performance.now() - started);
    // Where the time goes: each milestone of the job's live log, in seconds after the push.
    const pushedAt = Date.now() - (performance.now() - started);
    const { lines } = (await (await fetch(`${server.baseUrl}/api/environments/${id}/logs?limit=1000`)).json()) as {
      lines: { at: string; text: string }[];
    };
    const at = (pattern: RegExp) => {
      const line = lines.find((l) => pattern.test(l.text));
      return line ? ((Date.parse(line.at) - pushedAt) / 1000).toFixed(1) : "-";
    };
    // DUMP_LOG=1: every line of the round's log with its offset, to find where the time goes.
    if (process.env.DUMP_LOG)
      for (const l of lines) console.error(`${((Date.parse(l.at) - pushedAt) / 1000).toFixed(2)} ${l.text}`);
    timelines.push(
      `first engine line ${at(/./)} s, template packaged ${at(/cloudformation: packaged/)} s, CreateStack ${at(/cloudformation: creating/)} s, CREATE_COMPLETE ${at(/Stack CREATE_COMPLETE/)} s, last line ${((Date.parse(lines.at(-1)?.at ?? "") - pushedAt) / 1000).toFixed(1)} s, ready ${((viaStackfork.at(-1) as number) / 1000).toFixed(1)} s`,
    );

    started = performance.now();
    const StackName = `direct-${round}-${Date.now().toString(36)}`;
    await cfn.send(
      new CreateStackCommand({
        StackName,
        TemplateBody: body,
        Parameters: [{ ParameterKey: "ApiKey", ParameterValue: "bench" }],
        Capabilities: ["CAPABILITY_IAM"],
      }),
    );
    await waitUntilStackCreateComplete({ client: cfn, minDelay: 2, maxDelay: 10, maxWaitTime: 600 }, { StackName });
    const outputs = (await cfn.send(new DescribeStacksCommand({ StackName }))).Stacks?.[0]?.Outputs;
    if (!outputs?.length) throw new Error("direct stack has no outputs");
    viaSdk.push(performance.now() - started);
  }

  // Packaging a 20 MB folder: 20 files of 1 MB of random bytes (incompressible: the worst case).
  const code = path.join(work, "big", "code");
  mkdirSync(code, { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(path.join(code, `blob-${i}.bin`), randomBytes(1024 * 1024));
  const bigBucket = `bench-big-${Date.now().toString(36)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bigBucket }));
  const store = createArtifactStore(s3, { bucket: bigBucket, prefix: "env/", region: "us-east-1" });
  const bigTemplate = readTemplate(
    JSON.stringify({ Resources: { Fn: { Type: "AWS::Lambda::Function", Properties: { Code: "code" } } } }),
    "big.json",
  );
  const timePackaging = async () => {
    const started = performance.now();
    const result = await packageTemplate(bigTemplate, {
      templateDir: path.join(work, "big"),
      root: path.join(work, "big"),
      store,
    });
    return { ms: performance.now() - started, uploaded: result.artifacts.filter((a) => a.uploaded).length };
  };
  const first = await timePackaging();
  const unchanged = [await timePackaging(), await timePackaging(), await timePackaging()];

  const ratio = median(viaStackfork) / median(viaSdk);
  console.log(`## CloudFormation copies (bench:cloudformation)

Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, moto ${"5.2.5"} on loopback.
Command: \`ROUNDS=${ROUNDS} npm run bench:cloudformation\`.

| | median | each round |
| --- | --- | --- |
| push -> ready through stackfork (CREATE_COMPLETE, URL saved) | ${formatSeconds(median(viaStackfork))} | ${viaStackfork.map(formatSeconds).join(", ")} |
| direct CreateStack + waiter, same packaged template | ${formatSeconds(median(viaSdk))} | ${viaSdk.map(formatSeconds).join(", ")} |
| ratio | ${ratio.toFixed(1)}x | |

Each stackfork round's timeline (from the job's live log):
${timelines.map((t, i) => `- round ${i + 1}: ${t}`).join("\n")}

| packaging a 20 MB folder (20 × 1 MiB random) | time | objects uploaded |
| --- | --- | --- |
| first time (zip + upload) | ${formatSeconds(first.ms)} | ${first.uploaded} |
| unchanged (zip, key found) | ${unchanged.map((u) => formatSeconds(u.ms)).join(", ")} | ${unchanged.map((u) => u.uploaded).join(", ")} |
`);
} finally {
  await server?.stop();
  stopProcessesMentioning(work);
  await emulator.stop();
  rmSync(work, { recursive: true, force: true });
}
