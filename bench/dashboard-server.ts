import path from "node:path";
import { buildServer } from "../app/build-server.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createEnvironmentActions } from "../dashboard/create-environment-actions.ts";
import { createSqliteJobQueue } from "../queue/sqlite-job-queue.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";

/**
 * The server of the dashboard benchmark, in its own process (its RSS is the server's alone): the
 * real app on the registry the parent seeded. It records fastify's own `reply.elapsedTime` of every
 * request (request received -> response sent) and samples its RSS; the parent asks over IPC.
 */
const [dir = "", nowIso = new Date().toISOString()] = process.argv.slice(2);
const repositories = ["acme/api", "acme/web", "acme/billing", "acme/search"].map(
  (name) =>
    ({ name, stackPath: "stacks/service", defaultBranch: "main", target: "local", ttlHours: 72 }) as RepositoryConfig,
);
const now = () => new Date(nowIso);
const registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
const queue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
const actions = createEnvironmentActions({
  registry,
  queue,
  nameMaxLength: 40,
  repositories,
  uploads: { dir: path.join(dir, "uploads"), maxBytes: 1, maxEntries: 1 },
  now,
});
const app = await buildServer({
  registry,
  logger: false,
  isReady: () => true,
  intake: { registry, queue, nameMaxLength: 40, webhookSecrets: ["x"], findRepository: () => undefined, now },
  dashboard: { apiToken: "bench", readsOpen: true, actions, repositories, uploadMaxBytes: 1, now },
});
let times: number[] = [];
app.addHook("onResponse", async (_request, reply) => {
  times.push(reply.elapsedTime);
});
let peakRss = process.memoryUsage().rss;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20).unref();

await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
process.send?.({ port: typeof address === "object" && address ? address.port : 0, rss: process.memoryUsage().rss });
process.on("message", (message: string) => {
  if (message === "report") {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    process.send?.({ times, rss: process.memoryUsage().rss, peakRss });
    times = [];
  }
});
process.once("SIGTERM", async () => {
  await app.close();
  await queue.close();
  await registry.close();
  process.exit(0);
});
