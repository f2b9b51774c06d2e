import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sign } from "@octokit/webhooks-methods";
import autocannon from "autocannon";
import { pushPayload } from "../test/support/webhook-deliveries.ts";

/**
 * Webhook intake throughput and latency (BENCHMARKS.md): signed `push` deliveries, each with a
 * unique delivery id, against the real server and a bare fastify server that only checks the
 * signature and answers 202, at the same concurrency, in the same run. A third server, `parse`, is
 * the bare one plus `JSON.parse` of the body: the ceiling of any intake that reads the payload (it
 * must, to answer "ignored, and why"). The load generator is autocannon, in this process; each
 * server runs in a child process.
 *
 *   npm run bench:intake -- [--connections 10] [--duration 10] [--rounds 2] [--log-level info]
 */
const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "10" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    rounds: { type: "string", default: "2" },
    branches: { type: "string", default: "16" },
    "log-level": { type: "string", default: "info" },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const rounds = Number(values.rounds);
const SECRET = "bench-secret";

interface Measure {
  server: string;
  round: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  errors: number;
}

const deliveries = await prepareDeliveries(2000, Number(values.branches));
// Other work on the machine moves these numbers: say how busy it was.
const loadBefore = loadavg()[0] ?? 0;
const measures: Measure[] = [];
for (let round = 1; round <= rounds; round++) {
  // Alternate which goes first, so that neither always runs on a warmer machine.
  const order = round % 2 === 1 ? ["bare", "parse", "stackfork"] : ["stackfork", "parse", "bare"];
  for (const server of order) measures.push(await measure(server, round));
}
report(measures);

/** Signed push bodies (each with its own head SHA) over a few branches: deploys collapse per branch. */
async function prepareDeliveries(count: number, branches: number) {
  const list: { body: string; signature: string }[] = [];
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify(
      pushPayload("acme/api", `feature/bench-${i % branches}`, randomBytes(20).toString("hex")),
    );
    list.push({ body, signature: await sign(SECRET, body) });
  }
  return list;
}

async function measure(server: string, round: number): Promise<Measure> {
  const { child, port } = await startServer(server);
  try {
    const url = `http://127.0.0.1:${port}`;
    if (warmup > 0) await load(url, `${server}-warmup-${round}`, warmup);
    const result = await load(url, `${server}-${round}`, duration);
    return {
      server,
      round,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

function load(url: string, runId: string, seconds: number) {
  let sent = 0;
  return autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/webhooks/github",
        setupRequest: (request) => {
          const delivery = deliveries[sent % deliveries.length] as { body: string; signature: string };
          sent++;
          request.body = delivery.body;
          request.headers = {
            "content-type": "application/json",
            "user-agent": "GitHub-Hookshot/bench",
            "x-github-event": "push",
            "x-github-delivery": `${runId}-${sent}`,
            "x-hub-signature-256": delivery.signature,
          };
          return request;
        },
      },
    ],
  });
}

async function startServer(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(
    path.join(import.meta.dirname, "intake-server.ts"),
    [kind, SECRET, values["log-level"] ?? "info"],
    {
      execArgv: ["--import", "tsx"],
      // The server's log goes nowhere, as it would to a collector: written, not read back.
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, port };
}

function report(all: Measure[]) {
  const best = (server: string) =>
    all.filter((m) => m.server === server).sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0] as Measure;
  const bare = best("bare");
  const parse = best("parse");
  const real = best("stackfork");
  console.log(
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), node ${process.version}; ` +
      `autocannon, ${connections} connections, ${duration} s per run after ${warmup} s warm-up, ${rounds} rounds; ` +
      `load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after`,
  );
  console.table(all);
  const ratio = real.requestsPerSecond / bare.requestsPerSecond;
  console.log(
    `ceiling: bare + JSON.parse of the payload ${parse.requestsPerSecond.toFixed(0)} req/s, ` +
      `${(parse.requestsPerSecond / bare.requestsPerSecond).toFixed(2)}x bare`,
  );
  console.log(
    `best of rounds: stackfork ${real.requestsPerSecond.toFixed(0)} req/s p99 ${real.p99} ms; ` +
      `bare ${bare.requestsPerSecond.toFixed(0)} req/s p99 ${bare.p99} ms; ratio ${ratio.toFixed(2)}x ` +
      `(goal >= 0.8x, p99 <= 20 ms: ${ratio >= 0.8 && real.p99 <= 20 ? "met" : "missed"})`,
  );
  if (all.some((m) => m.non2xx > 0 || m.errors > 0)) {
    console.error("some requests were not answered 2xx: the numbers above do not count them");
    process.exitCode = 1;
  }
}
