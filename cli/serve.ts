import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import pino from "pino";
import { findRepository, type StackforkConfig } from "../core/config.ts";
import { createEnvironmentActions } from "../dashboard/create-environment-actions.ts";
import { isLoopbackHost } from "../dashboard/is-loopback-host.ts";
import { createWriteAccessCheck } from "../github/check-write-access.ts";
import { createGitHubClient } from "../github/create-github-client.ts";
import { createGitHubNotifier } from "../github/create-github-notifier.ts";
import { createGitHubSourceReader } from "../github/create-github-source-reader.ts";
import { createLogNotifier } from "../github/create-log-notifier.ts";
import { createCommentReactor } from "../github/react-to-comment.ts";
import { createPulumiProvisioner } from "../provisioner/create-pulumi-provisioner.ts";
import { listFileBackendStacks, readFileBackendStates } from "../provisioner/list-file-backend-stacks.ts";
import { requirePulumiCli } from "../provisioner/pulumi-cli.ts";
import { createSqliteJobQueue } from "../queue/sqlite-job-queue.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { createSourceReader } from "../source/create-source-reader.ts";
import { readUploadedTree } from "../source/read-uploaded-tree.ts";
import { sweepDependencyInstalls } from "../source/sweep-dependency-installs.ts";
import { sweepSourceTrees } from "../source/sweep-source-trees.ts";
import { createWorker } from "../worker/create-worker.ts";
import { findTreesInUse } from "../worker/find-trees-in-use.ts";
import { reapExpiredEnvironments } from "../worker/reap-expired-environments.ts";
import { isUrlAnswering, reconcileEnvironments } from "../worker/reconcile-environments.ts";
import { buildServer } from "./build-server.ts";
import { loadSecret } from "./load-secret.ts";
import { runPeriodically } from "./run-periodically.ts";

/** A source tree used (extracted or read for a job) within the last hour is never removed. */
const SOURCE_TREE_MIN_AGE_MS = 3_600_000;

/**
 * `stackfork serve`: webhook intake, worker and API in one process, on the embedded adapters
 * (SQLite registry and queue, file:// Pulumi state, copies served on loopback).
 */
export async function serve(config: StackforkConfig, env: NodeJS.ProcessEnv): Promise<void> {
  const log = pino({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true });
  const webhookSecret = loadSecret(config.dataDir, "webhook-secret", config.secrets.webhookSecret);
  const apiToken = loadSecret(config.dataDir, "api-token", config.secrets.apiToken);
  const passphrase = loadSecret(config.dataDir, "pulumi-passphrase", config.secrets.pulumiPassphrase);

  const cli = requirePulumiCli(env);
  // Sandboxes' uploaded working trees, one folder per content hash (core/upload-id.ts).
  const uploadsDir = path.join(config.dataDir, "uploads");
  const sourcesDir = path.join(config.dataDir, "sources");
  const stateDir = path.join(config.dataDir, "pulumi");
  const github = config.github
    ? createGitHubClient({
        auth: config.github.auth,
        baseUrl: config.github.apiUrl,
        log: log.child({ component: "github" }),
      })
    : undefined;
  const notifier = github
    ? createGitHubNotifier({ client: github, log, dashboardUrl: config.publicUrl })
    : createLogNotifier(log);
  const registry = createSqliteRegistry({ file: path.join(config.dataDir, "registry.db") });
  const queue = createSqliteJobQueue({ file: path.join(config.dataDir, "queue.db") });
  const provisioner = createPulumiProvisioner({
    engine: {
      cli,
      stateDir,
      passphrase: passphrase.value,
      searchPath: config.searchPath,
    },
    dataDir: config.dataDir,
    readSource: createSourceReader({
      sourcesDir,
      fromUpload: readUploadedTree(uploadsDir),
      fromGitHub: github && createGitHubSourceReader({ client: github, sourcesDir, log }),
    }),
    warmRunners: config.warmRunners,
  });
  const lookup = (fullName: string) => findRepository(config, fullName);
  const worker = createWorker({
    registry,
    queue,
    provisioner,
    notifier,
    findRepository: lookup,
    log,
    now: () => new Date(),
    // One embedded server per data dir: a stable id lets a restart take back its jobs at once.
    workerId: `embedded@${hostname()}`,
    concurrency: config.concurrency,
    leaseMs: config.leaseSeconds * 1000,
    maxAttempts: config.maxAttempts,
  });

  const readsOpen = config.publicReads || isLoopbackHost(config.host);
  const actions = createEnvironmentActions({
    registry,
    queue,
    nameMaxLength: config.nameMaxLength,
    repositories: config.repositories,
    sandboxesPerOwner: config.sandboxesPerOwner,
    // Uncompressed, a tree may be 10 times its upload; entries as many as a large monorepo's.
    uploads: { dir: uploadsDir, maxBytes: config.uploadMaxBytes * 10, maxEntries: 100_000 },
    now: () => new Date(),
    wakeWorker: () => worker.wake(),
  });

  let ready = false;
  const app = await buildServer({
    registry,
    logger: { level: config.logLevel },
    isReady: () => ready,
    dashboard: {
      apiToken: apiToken.value,
      readsOpen,
      actions,
      repositories: config.repositories,
      uploadMaxBytes: config.uploadMaxBytes,
      listStacks: () => listFileBackendStacks(stateDir),
      now: () => new Date(),
    },
    intake: {
      registry,
      queue,
      nameMaxLength: config.nameMaxLength,
      webhookSecrets: [webhookSecret.value],
      findRepository: lookup,
      now: () => new Date(),
      wakeWorker: () => worker.wake(),
      notifier,
      checkWriteAccess: github && createWriteAccessCheck(github),
      reactToComment: github && createCommentReactor(github, log),
    },
  });
  await app.listen({ port: config.port, host: config.host });
  worker.start();
  ready = true;
  void reconcileEnvironments({
    registry,
    queue,
    nameMaxLength: config.nameMaxLength,
    wakeWorker: () => worker.wake(),
    findRepository: lookup,
    isAnswering: (url) => isUrlAnswering(url),
    log,
    now: () => new Date(),
  }).catch((err: unknown) => log.error({ err }, "reconcile at start failed"));
  const reaper = runPeriodically(
    () =>
      reapExpiredEnvironments({
        registry,
        queue,
        nameMaxLength: config.nameMaxLength,
        wakeWorker: () => worker.wake(),
        log,
        now: () => new Date(),
      }),
    config.reapIntervalSeconds * 1000,
    (err) => log.error({ err }, "sweep for expired environments failed"),
  );
  // Source trees (one per deployed commit, a full copy of the repository each) and the dependency
  // installs they link to. Hourly is enough.
  const sourceSweeper = runPeriodically(
    async () => {
      const trees = await sweepSourceTrees({
        sourcesDir,
        uploadsDir,
        stateTexts: readFileBackendStates(stateDir),
        inUse: await findTreesInUse(registry, queue),
        minAgeMs: SOURCE_TREE_MIN_AGE_MS,
        now: new Date(),
      });
      const installs = await sweepDependencyInstalls({
        depsDir: path.join(config.dataDir, "deps"),
        treeDirs: trees.kept,
        minAgeMs: SOURCE_TREE_MIN_AGE_MS,
        now: new Date(),
      });
      const removed = [...trees.removed, ...installs];
      if (removed.length > 0) log.info({ removed }, "source trees and dependency installs no longer needed: removed");
    },
    SOURCE_TREE_MIN_AGE_MS,
    (err) => log.error({ err }, "sweep of source trees failed"),
  );

  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const lines = [
    `stackfork serving on http://${config.host}:${port}`,
    `  data dir:        ${config.dataDir}`,
    `  config:          ${config.configFile ?? (config.repositories.length > 0 ? "(none: this clone is the demo repository; try `npm run stackfork -- simulate push --branch <a branch> --wait`)" : "(none: no repositories, every event is ignored)")}`,
    `  repositories:    ${config.repositories.map((r) => `${r.name} (${r.target}${r.localPath ? `, ${r.localPath}` : ""})`).join(", ") || "none"}`,
    `  pulumi CLI:      v${cli.version} (${cli.source}: ${cli.command})`,
    `  webhook secret:  ${webhookSecret.file ?? "from GITHUB_WEBHOOK_SECRET"}`,
    `  API token:       ${apiToken.file ?? "from STACKFORK_API_TOKEN"}`,
    `  dashboard:       http://${config.host}:${port}/ (reads ${readsOpen ? (config.publicReads ? "public" : "open on loopback") : "need the token"}; changes need the token)`,
    `  GitHub:          ${config.github ? `${"token" in config.github.auth ? "token" : `App ${config.github.auth.appId}`} at ${config.github.apiUrl ?? "https://api.github.com"}` : "offline (no GITHUB_TOKEN or GitHub App): notices are logged, sources come from localPath"}`,
    `  expiry:          expired environments destroyed (a sweep every ${config.reapIntervalSeconds} s)`,
    "  not built yet:   the AWS platform (DynamoDB/SQS adapters, Lambdas)",
  ];
  console.log(lines.join("\n"));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ready = false;
    log.info({ signal, running: worker.running() }, "shutting down: no new jobs; waiting for running ones");
    await app.close();
    await worker.stop(config.shutdownGraceSeconds * 1000);
    // Before the databases close: a sweep still running would write to them.
    await reaper.stop();
    await sourceSweeper.stop();
    provisioner.close?.();
    await queue.close();
    await registry.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

export function readConfigFile(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}
