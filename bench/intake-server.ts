import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { verify } from "@octokit/webhooks-methods";
import Fastify, { type FastifyInstance } from "fastify";
import { buildServer } from "../app/build-server.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createSqliteJobQueue } from "../queue/sqlite-job-queue.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { WEBHOOK_BODY_LIMIT } from "../webhook/receive-delivery.ts";

/**
 * One server of the intake benchmark, in its own process so that the load generator does not share
 * its event loop: `bare` (fastify that checks the signature and answers 202), `parse` (the same, and
 * `JSON.parse` of the body: what any intake that reads the payload pays at least) or `stackfork` (the
 * real server: buildServer, SQLite registry and queue in a temp dir, a configured repository, no worker).
 * Tells the parent its port over IPC; exits on SIGTERM.
 */
const [kind = "stackfork", secret = "bench-secret", logLevel = "info"] = process.argv.slice(2);
const repository: RepositoryConfig = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};

const dir = mkdtempSync(path.join(tmpdir(), "stackfork-bench-"));
const app = kind === "stackfork" ? await buildStackforkServer() : await buildBareServer(kind === "parse");
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
process.send?.({ port: typeof address === "object" && address ? address.port : 0, dir });
process.once("SIGTERM", async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});

async function buildBareServer(parse: boolean): Promise<FastifyInstance> {
  const bare = Fastify({ logger: false });
  bare.removeAllContentTypeParsers();
  bare.addContentTypeParser("*", { parseAs: "string", bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  bare.post("/webhooks/github", async (request, reply) => {
    const signature = request.headers["x-hub-signature-256"];
    const ok = typeof signature === "string" && (await verify(secret, request.body as string, signature));
    if (ok && parse) JSON.parse(request.body as string);
    return ok ? reply.code(202).send({ queued: true }) : reply.code(401).send({ error: "signature" });
  });
  return bare;
}

async function buildStackforkServer(): Promise<FastifyInstance> {
  // BENCH_MEMORY=1: SQLite in memory, to see what the intake costs without the disk (a diagnosis:
  // an acknowledged delivery must be on disk).
  const memory = process.env.BENCH_MEMORY === "1";
  const registry = createSqliteRegistry({ file: memory ? ":memory:" : path.join(dir, "registry.db") });
  const queue = createSqliteJobQueue({ file: memory ? ":memory:" : path.join(dir, "queue.db") });
  const server = await buildServer({
    registry,
    logger: logLevel === "off" ? false : { level: logLevel },
    isReady: () => true,
    intake: {
      registry,
      queue,
      nameMaxLength: 40,
      webhookSecrets: [secret],
      findRepository: (name) => (name.toLowerCase() === repository.name ? repository : undefined),
      now: () => new Date(),
    },
  });
  server.addHook("onClose", async () => {
    await queue.close();
    await registry.close();
  });
  return server;
}
