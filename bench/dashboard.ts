import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { EnvironmentIdentity, EnvironmentStatus } from "../core/environment.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { statusPaths } from "../test/support/seed-environment.ts";
import { percentile } from "./summarize-times.ts";

/**
 * The dashboard with many environments (BENCHMARKS.md): the list page `GET /` (50 rows, counts
 * per status, filters, the next page) and its JSON twin, served by the real app (`buildServer`) in
 * its own process (bench/dashboard-server.ts) on a SQLite registry holding `--environments` of them
 * in every status and kind. Requests are sequential, over a loopback keep-alive socket. Server time
 * is fastify's own `reply.elapsedTime`; RSS is the server process's, sampled every 20 ms.
 *
 * With `--costs` (issue 21) nine environments in ten carry a measured cost (saved through the
 * registry's cost store, with its 30-day detail): the list shows the cost column and the totals
 * per repository and owner, and two routes are added: the list in cost order and an environment's
 * page with its daily chart.
 *
 *   npm run bench:dashboard -- [--environments 10000] [--requests 400] [--costs]
 */
const { values } = parseArgs({
  options: {
    environments: { type: "string", default: "10000" },
    requests: { type: "string", default: "400" },
    costs: { type: "boolean", default: false },
  },
});
const withCosts = values.costs;
const total = Number(values.environments);
const requests = Number(values.requests);
const WARMUP = 50;

const statuses: EnvironmentStatus[] = [
  "ready",
  "ready",
  "ready",
  "failed",
  "deploying",
  "queued",
  "destroyed",
  "awaiting_approval",
];
const repositories = ["acme/api", "acme/web", "acme/billing", "acme/search"];
const start = Date.parse("2026-11-01T00:00:00Z");

const dir = mkdtempSync(path.join(tmpdir(), "stackfork-bench-dashboard-"));
let child: ChildProcess | undefined;
try {
  const seedSeconds = await seed();
  child = fork(
    path.join(import.meta.dirname, "dashboard-server.ts"),
    [dir, new Date(start + total * 60_000).toISOString()],
    {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    },
  );
  const started = await nextMessage<{ port: number; rss: number }>(child);
  const baseUrl = `http://127.0.0.1:${started.port}`;
  const firstStarted = performance.now();
  const firstPage = await (await fetch(`${baseUrl}/`)).text();
  const firstMs = performance.now() - firstStarted;
  const nextCursor = /href="\/\?cursor=([^"]+)" rel="next"/.exec(firstPage)?.[1];
  const routes = [
    "/",
    `/?cursor=${nextCursor}`,
    "/?status=failed",
    "/?repository=acme%2Fweb&kind=branch",
    "/?owner=dev-70",
    "/?q=task-42",
    "/api/environments?limit=100",
    ...(withCosts
      ? ["/?sort=cost", `/environments/${[...firstPage.matchAll(/href="\/environments\/([^"]+)"/g)][1]?.[1]}`]
      : []),
  ];
  const loadBefore = loadavg()[0] ?? 0;
  const rows: string[] = [];
  let listP50 = Number.NaN;
  let peakRss = started.rss;
  for (const route of routes) {
    for (let i = 0; i < WARMUP; i++) await get(baseUrl, route);
    await report(child);
    const client: number[] = [];
    let bytes = 0;
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      bytes = (await get(baseUrl, route)).length;
      client.push(performance.now() - t0);
    }
    const server = await report(child);
    peakRss = Math.max(peakRss, server.peakRss);
    if (route === "/") listP50 = percentile(server.times, 0.5);
    rows.push(
      `| \`${route.replace(/cursor=[^&]+/, "cursor=…")}\` | ${fmt(percentile(server.times, 0.5))} | ${fmt(percentile(server.times, 0.99))} | ${fmt(percentile(client, 0.5))} | ${(bytes / 1024).toFixed(0)} KiB |`,
    );
  }
  const end = await report(child);
  const loadAfter = loadavg()[0] ?? 0;

  console.log(`machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "?"}), Node ${process.version}`);
  console.log(
    `environments: ${total}${withCosts ? ", 9 in 10 with a measured cost" : ""} (seeded in ${seedSeconds.toFixed(1)} s); ${requests} sequential requests per route after ${WARMUP} warm-up`,
  );
  console.log(`first \`/\` after start (client, the totals summed when shown): ${fmt(firstMs)}`);
  console.log(`load average before/after: ${loadBefore.toFixed(2)} / ${loadAfter.toFixed(2)}\n`);
  console.log("| route | server p50 | server p99 | client p50 | body |\n| --- | --- | --- | --- | --- |");
  console.log(rows.join("\n"));
  console.log(
    `\nserver RSS: ${mb(started.rss)} at start, ${mb(end.rss)} at the end, peak ${mb(peakRss)} (goal <= 200 MB): ${peakRss <= 200 * 1024 * 1024 ? "met" : "MISSED"}`,
  );
  console.log(`list page server p50 ${fmt(listP50)} (goal <= 50 ms): ${listP50 <= 50 ? "met" : "MISSED"}`);
} finally {
  child?.kill("SIGTERM");
  if (child) await new Promise((resolve) => child?.once("exit", resolve));
  rmSync(dir, { recursive: true, force: true });
}

/** Environments in every status and kind, written through the registry port, one minute apart. */
async function seed(): Promise<number> {
  const t0 = performance.now();
  const registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  for (let i = 0; i < total; i++) {
    const repository = repositories[i % repositories.length] ?? "acme/api";
    const identity: EnvironmentIdentity =
      i % 10 === 0
        ? { kind: "sandbox", repository, owner: `dev-${i}`, branch: "main" }
        : i % 4 === 0
          ? { kind: "pull_request", repository, pullRequest: i, branch: `feature/pr-${i}` }
          : { kind: "branch", repository, branch: `feature/task-${i}-${"x".repeat(i % 30)}` };
    const at = new Date(start + i * 60_000);
    const env = await registry.ensureEnvironment(identity, { status: "queued", now: at });
    for (const status of statusPaths[statuses[i % statuses.length] ?? "ready"]) {
      const patch =
        status === "ready"
          ? {
              status,
              url: `http://127.0.0.1:${20000 + (i % 40000)}/`,
              commitSha: i.toString(16).padStart(8, "0").repeat(5),
              lastDeployMs: 20_000 + (i % 50) * 1000,
              expiresAt: new Date(at.getTime() + 72 * 3_600_000).toISOString(),
            }
          : status === "failed"
            ? { status, lastError: { code: "DEPLOY_FAILED", message: "the update failed" } }
            : { status };
      await registry.updateEnvironment(env.id, patch, at);
    }
    if (withCosts && i % 10 !== 9) await saveCost(registry, env.id, i, at);
  }
  await registry.close();
  return (performance.now() - t0) / 1000;
}

async function get(baseUrl: string, route: string): Promise<string> {
  const response = await fetch(`${baseUrl}${route}`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${route}: HTTP ${response.status}`);
  return body;
}

async function report(server: ChildProcess) {
  server.send("report");
  return nextMessage<{ times: number[]; rss: number; peakRss: number }>(server);
}

function nextMessage<T>(server: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the server exited with ${code}`));
    server.once("exit", onExit);
    server.once("message", (message) => {
      server.off("exit", onExit);
      resolve(message as T);
    });
  });
}

function fmt(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** A measurement as the maintenance run saves one: figures from sub-cent to dollars, 30 days of detail. */
async function saveCost(registry: ReturnType<typeof createSqliteRegistry>, id: string, i: number, at: Date) {
  const usage = {
    lambdaRequests: i * 3,
    lambdaGbSeconds: i * 0.01,
    apiRequests: i * 3,
    dynamoReadUnits: i,
    dynamoWriteUnits: i / 2,
    logIngestedBytes: i * 200,
  };
  const daily = Array.from({ length: 30 }, (_, d) => ({
    day: new Date(at.getTime() - (29 - d) * 86_400_000).toISOString().slice(0, 10),
    usd: ((i * (d + 1)) % 97) / 10_000,
  }));
  const last30dUsd = daily.reduce((sum, d) => sum + d.usd, 0);
  await registry.saveCost(
    id,
    {
      idleMonthlyUsd: i % 3 === 0 ? 0 : (i % 50) / 100_000,
      last24hUsd: daily[29]?.usd ?? 0,
      last30dUsd,
      lifeUsd: last30dUsd * 1.5,
      alwaysOnMonthlyUsd: 3.07,
      estimated: i % 2 === 0,
      measuredAt: at.toISOString(),
    },
    {
      daily,
      last24h: usage,
      last30d: usage,
      stored: { dynamoBytes: i * 100, logBytes: i * 50, stateBytes: 20_000 },
      pricedWith: { region: "us-east-1", takenAt: "2026-12-07" },
    },
  );
}
