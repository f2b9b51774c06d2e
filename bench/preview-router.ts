import { type ChildProcess, fork } from "node:child_process";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

/**
 * The preview router's cost (BENCHMARKS.md): `GET /` of a real local copy (the production stack's
 * handler, in its own process) directly and through the router (the dashboard's server with the
 * router in front, in its own process, 100 ready environments in its SQLite registry, requests
 * spread over all their hosts), same run, same concurrency, rounds alternating the order. Reports
 * p50/p99 added, the throughput ratio (goal >= 0.8x direct), and the router process's memory.
 *
 *   npm run bench:router -- [--connections 10] [--duration 10] [--warmup 3] [--rounds 2] [--environments 100]
 */
const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "10" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    rounds: { type: "string", default: "2" },
    environments: { type: "string", default: "100" },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const rounds = Number(values.rounds);

interface Measure {
  target: string;
  round: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  errors: number;
}

const loadBefore = loadavg()[0] ?? 0;
const copy = await start(["copy"]);
const router = await start(["router", copy.url as string, values.environments ?? "100"]);
const names = router.names as string[];
const idle = await memoryOf(router.child);
const measures: Measure[] = [];
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? ["direct", "router"] : ["router", "direct"];
  for (const target of order) measures.push(await measure(target, round));
}
const loaded = await memoryOf(router.child);
report();
for (const child of [router.child, copy.child]) child.kill("SIGTERM");

async function measure(target: string, round: number): Promise<Measure> {
  const port = target === "direct" ? copy.port : router.port;
  // Through the router every request names one of the environments, in turn: all 100 are served.
  const requests =
    target === "direct"
      ? [{ method: "GET" as const, path: "/" }]
      : names.map((name) => ({
          method: "GET" as const,
          path: "/",
          headers: { host: `${name}.localhost:${router.port}` },
        }));
  const run = (seconds: number) =>
    autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: seconds, requests });
  if (warmup > 0) await run(warmup);
  const result = await run(duration);
  return {
    target,
    round,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function start(args: string[]): Promise<{ child: ChildProcess; port: number; [key: string]: unknown }> {
  const child = fork(path.join(import.meta.dirname, "preview-router-server.ts"), args, {
    execArgv: ["--import", "tsx", "--expose-gc"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const message = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("message", (m) => resolve(m as Record<string, unknown>));
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { child, port: message.port as number, ...message };
}

function memoryOf(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve((m as { memory: NodeJS.MemoryUsage }).memory));
    child.send({ ask: "memory" });
  });
}

function report() {
  const best = (target: string) =>
    measures.filter((m) => m.target === target).sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0] as Measure;
  const direct = best("direct");
  const routed = best("router");
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), node ${process.version}; ` +
      `autocannon, ${connections} connections, ${duration} s per run after ${warmup} s warm-up, ${rounds} rounds, ` +
      `${names.length} environments; load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after`,
  );
  console.table(measures);
  const ratio = routed.requestsPerSecond / direct.requestsPerSecond;
  console.log(
    `best of rounds: router ${routed.requestsPerSecond.toFixed(0)} req/s p50 ${routed.p50} ms p99 ${routed.p99} ms; ` +
      `direct ${direct.requestsPerSecond.toFixed(0)} req/s p50 ${direct.p50} ms p99 ${direct.p99} ms; ` +
      `added p50 ${routed.p50 - direct.p50} ms, p99 ${routed.p99 - direct.p99} ms; ` +
      `throughput ${ratio.toFixed(2)}x direct (goal >= 0.8x: ${ratio >= 0.8 ? "met" : "missed"})`,
  );
  console.log(
    `router process with ${names.length} environments (after a GC): idle rss ${mb(idle.rss)} heap ${mb(idle.heapUsed)}; ` +
      `after the runs rss ${mb(loaded.rss)} heap ${mb(loaded.heapUsed)}`,
  );
  if (measures.some((m) => m.non2xx > 0 || m.errors > 0)) {
    console.error("some requests were not answered 2xx: the numbers above do not count them");
    process.exitCode = 1;
  }
}
