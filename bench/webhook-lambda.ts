// The webhook Lambda's bundle and cold start (BENCHMARKS.md): the handler bundled as it is
// deployed (platform/lambda-bundle-options.ts), then, in a new Node process each time, imported and
// given one signed push on the AWS emulator (a remembered delivery, an environment, a job, a wake);
// against a bare handler that only verifies the signature, bundled the same way, same run.
//   npm run bench:webhook-lambda -- [--rounds 7]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { defineAwsResources } from "../aws/aws-resources.ts";
import { bootstrapAwsResources } from "../aws/bootstrap-aws-resources.ts";
import { createAwsClients } from "../aws/create-aws-clients.ts";
import { lambdaBundleOptions } from "../platform/lambda-bundle-options.ts";
import { startAwsEmulator } from "../test/support/start-aws-emulator.ts";
import { pushPayload, signDelivery } from "../test/support/webhook-deliveries.ts";
import { median } from "./summarize-times.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "7" } } });
const rounds = Number(values.rounds);
const root = path.resolve(import.meta.dirname, "..");
const work = mkdtempSync(path.join(tmpdir(), "stackfork-bench-lambda-"));
const emulator = await startAwsEmulator();
const SECRET = "bench-secret";

try {
  const bundles = {
    stackfork: await bundle(path.join(root, "platform/webhook-handler.ts"), "stackfork"),
    bare: await bundle(path.join(root, "bench/fixtures/bare-webhook-handler.ts"), "bare"),
  };
  const prefix = `bench-${Date.now().toString(36)}`;
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    STACKFORK_STORE: "aws",
    STACKFORK_AWS_PREFIX: prefix,
    STACKFORK_DATA_DIR: path.join(work, "tmp"),
    STACKFORK_CONFIG_JSON: JSON.stringify({ repositories: [{ name: "acme/bench" }] }),
    GITHUB_WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: "warn",
  };
  const clients = createAwsClients({ endpoint: emulator.endpoint });
  process.env.AWS_REGION ??= "us-east-1";
  process.env.AWS_ACCESS_KEY_ID ??= "bench";
  process.env.AWS_SECRET_ACCESS_KEY ??= "bench";
  await bootstrapAwsResources({ clients, resources: defineAwsResources(prefix) });
  clients.destroy();

  const times: Record<string, number[]> = { stackfork: [], bare: [] };
  const phases: Record<string, { bootMs: number; importMs: number; invokeMs: number }[]> = { stackfork: [], bare: [] };
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? ["bare", "stackfork"] : ["stackfork", "bare"]) {
      // A new branch each time: every push takes the whole path (new environment, new job, new wake).
      const delivery = await signDelivery(SECRET, "push", pushPayload("acme/bench", `cold-${round}`, sha(round)));
      const eventFile = path.join(work, `event-${name}-${round}.json`);
      writeFileSync(
        eventFile,
        JSON.stringify({
          headers: delivery.headers,
          body: delivery.body,
          requestContext: { http: { method: "POST" } },
        }),
      );
      const started = performance.now();
      const out = execFileSync(
        process.execPath,
        [path.join(work, "invoke.mjs"), bundles[name as "bare"].file, eventFile],
        {
          env,
          encoding: "utf8",
        },
      );
      const wall = performance.now() - started;
      const answer = JSON.parse(out) as { statusCode: number; bootMs: number; importMs: number; invokeMs: number };
      if (answer.statusCode !== 202) throw new Error(`${name} answered ${answer.statusCode}: ${out}`);
      times[name]?.push(wall);
      phases[name]?.push(answer);
    }
  }
  const ours = median(times.stackfork ?? []);
  const bare = median(times.bare ?? []);
  console.log("### Webhook Lambda: bundle and cold start\n");
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, moto on loopback. Command: \`npm run bench:webhook-lambda -- --rounds ${rounds}\`.\n`,
  );
  console.log("| measure | stackfork | bare (verify + 202) | ratio | goal |\n|---|---|---|---|---|");
  console.log(
    `| bundle, minified: what a cold start loads | ${kb(bundles.stackfork.bytes)} | ${kb(bundles.bare.bytes)} | | <= 1.5 MB: ${bundles.stackfork.bytes <= 1.5 * 1024 * 1024 ? "met" : "not met"} |`,
  );
  console.log(
    `| the whole zip (index.mjs + lazily loaded chunks) | ${kb(bundles.stackfork.zipped)} | ${kb(bundles.bare.zipped)} | | |`,
  );
  console.log(
    `| cold start: new process -> 202 to one signed push, median of ${rounds} | ${ours.toFixed(0)} ms | ${bare.toFixed(0)} ms | ${(ours / bare).toFixed(2)}x | <= 1.5x: ${ours / bare <= 1.5 ? "met" : "not met"} |`,
  );
  const phase = (name: string, key: "bootMs" | "importMs" | "invokeMs") =>
    median((phases[name] ?? []).map((p) => p[key]));
  console.log(
    `| where the time goes (median): Node start / import / first invocation | ${["bootMs", "importMs", "invokeMs"].map((k) => phase("stackfork", k as "bootMs").toFixed(0)).join(" / ")} ms | ${["bootMs", "importMs", "invokeMs"].map((k) => phase("bare", k as "bootMs").toFixed(0)).join(" / ")} ms | | |`,
  );
} finally {
  await emulator.stop();
  rmSync(work, { recursive: true, force: true });
}

async function bundle(entry: string, name: string) {
  const outdir = path.join(work, name);
  const result = await build({
    ...lambdaBundleOptions,
    entryPoints: [entry],
    absWorkingDir: root,
    outdir,
    metafile: true,
  });
  const file = path.join(outdir, "index.mjs");
  // What a cold start loads: the entry and the chunks it imports statically; the zip holds them all.
  const outputs = result.metafile.outputs;
  const loaded = new Set<string>();
  const visit = (out: string) => {
    if (loaded.has(out)) return;
    loaded.add(out);
    for (const imported of outputs[out]?.imports ?? [])
      if (imported.kind === "import-statement" && outputs[imported.path]) visit(imported.path);
  };
  visit(path.relative(root, file));
  const sizeOf = (outs: Iterable<string>) => [...outs].reduce((sum, out) => sum + (outputs[out]?.bytes ?? 0), 0);
  // The invoker: what Lambda's runtime does on a cold start, then one invocation.
  writeFileSync(
    path.join(work, "invoke.mjs"),
    `import { readFileSync } from "node:fs";
const started = performance.now();
const { handler } = await import(process.argv[2]);
const imported = performance.now();
const answer = await handler(JSON.parse(readFileSync(process.argv[3], "utf8")), { getRemainingTimeInMillis: () => 3000 });
const now = performance.now();
process.stdout.write(JSON.stringify({ statusCode: answer.statusCode, bootMs: started, importMs: imported - started, invokeMs: now - imported }));
process.exit(0);
`,
  );
  return { file, bytes: sizeOf(loaded), zipped: sizeOf(Object.keys(outputs)) };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

function sha(n: number): string {
  return n.toString(16).padStart(40, "0");
}
