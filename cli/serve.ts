import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import pino from "pino";
import { assembleStackfork } from "../app/assemble-stackfork.ts";
import { buildServer } from "../app/build-server.ts";
import { createCostStep } from "../app/create-cost-step.ts";
import { createEmbeddedReconciliation } from "../app/create-embedded-reconciliation.ts";
import { runPeriodically } from "../app/run-periodically.ts";
import type { StackforkConfig } from "../core/config.ts";
import { createPreviewRouter } from "../preview-router/create-preview-router.ts";
import { createPreviewServerFactory } from "../preview-router/create-preview-server-factory.ts";
import { createShareLinks } from "../preview-router/create-share-links.ts";
import { requirePulumiCli } from "../provisioner/pulumi-cli.ts";
import { findTreesInUse } from "../reaper/find-trees-in-use.ts";
import { isUrlAnswering, restartLocalCopies } from "../reaper/restart-local-copies.ts";
import { runMaintenance } from "../reaper/run-maintenance.ts";
import { sweepDependencyInstalls } from "../source/sweep-dependency-installs.ts";
import { sweepSourceTrees } from "../source/sweep-source-trees.ts";
import { isLoopbackHost } from "../web/is-loopback-host.ts";
import { consumeWakes } from "../worker/consume-wakes.ts";
import { loadSecret } from "./load-secret.ts";

/** A source tree used (extracted or read for a job) within the last hour is never removed. */
const SOURCE_TREE_MIN_AGE_MS = 3_600_000;

/**
 * `stackfork serve`: webhook intake, worker and API in one process, on the embedded adapters
 * (SQLite registry and queue, file:// Pulumi state, copies served on loopback) or, with
 * STACKFORK_STORE=aws, on DynamoDB and SQS (the worker then takes its wakes from the FIFO queue).
 */
export async function serve(config: StackforkConfig): Promise<void> {
  const log = pino({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true });
  const webhookSecret = loadSecret(config.dataDir, "webhook-secret", config.secrets.webhookSecret);
  const apiToken = loadSecret(config.dataDir, "api-token", config.secrets.apiToken);
  // Only the passphrase provider needs one; an awskms:// provider keeps its key in KMS.
  const passphrase =
    config.secretsProvider === "passphrase"
      ? loadSecret(config.dataDir, "pulumi-passphrase", config.secrets.pulumiPassphrase)
      : { value: "" };

  const cli = requirePulumiCli(config.toolEnv);
  const parts = await assembleStackfork({
    config,
    log,
    secrets: { webhookSecret: webhookSecret.value, apiToken: apiToken.value, pulumiPassphrase: passphrase.value },
  });
  const { stores, registry, queue, dirs } = parts;
  const provisioner = await parts.createProvisioner(cli);
  // One embedded server per data dir: a stable id lets a restart take back its jobs at once.
  const worker = parts.createWorker(provisioner, { workerId: `embedded@${hostname()}` });
  const readsOpen = config.publicReads || isLoopbackHost(config.host);
  const actions = parts.createActions(() => worker.wake());
  const reconciliation = createEmbeddedReconciliation({
    config,
    reconciler: await parts.createReconciler(() => worker.wake()),
    log,
  });

  // Previews: <environment>.<previewDomain> is routed to the copy, before the dashboard sees it.
  const addresses = parts.previewAddresses;
  const shareLinks = createShareLinks({ apiToken: apiToken.value, registry, addresses, now: () => new Date() });
  let dashboardUrl = config.publicUrl ?? config.serverUrl;
  const router = await createPreviewRouter({
    registry,
    addresses,
    shareLinks,
    accessOf: (repository) => parts.findRepository(repository)?.previewAccess ?? "public",
    dashboardUrl: () => dashboardUrl,
    trustProxy: config.trustProxy,
    logger: { level: config.logLevel },
  });
  await router.ready();

  let ready = false;
  const app = await buildServer({
    registry,
    logger: { level: config.logLevel },
    isReady: () => ready,
    serverFactory: createPreviewServerFactory(router, { domain: addresses.domain, trustProxy: config.trustProxy }),
    dashboard: {
      apiToken: apiToken.value,
      readsOpen,
      actions,
      repositories: config.repositories,
      uploadMaxBytes: config.uploadMaxBytes,
      listStacks: parts.listStacks,
      findCloudOrphans: parts.findCloudOrphans,
      reconciler: reconciliation?.reconciler,
      now: () => new Date(),
      allowedHosts: config.allowedHosts,
      listen: { host: config.host },
      trustProxy: config.trustProxy,
      presentEnvironment: addresses.present,
      shareLinks,
      signIn: parts.signIn,
      permissions: parts.permissions,
    },
    intake: parts.intakeDeps(() => worker.wake()),
  });
  await app.listen({ port: config.port, host: config.host });
  const listening = app.server.address();
  const serverPort = typeof listening === "object" && listening ? listening.port : config.port;
  dashboardUrl = config.publicUrl ?? `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${serverPort}`;
  if (config.previewPort === undefined) addresses.setPort(serverPort);
  else if (config.previewPort !== serverPort) await router.listen({ port: config.previewPort, host: config.host });
  worker.start();
  const wakeConsumer =
    stores.wakes && consumeWakes({ source: stores.wakes.receiver, worker, concurrency: config.concurrency, log });
  ready = true;
  void restartLocalCopies({
    registry,
    queue,
    nameMaxLength: config.nameMaxLength,
    wakeWorker: () => worker.wake(),
    findRepository: parts.findRepository,
    isAnswering: (url) => isUrlAnswering(url),
    log,
    now: () => new Date(),
  }).catch((err: unknown) => log.error({ err }, "reconcile at start failed"));
  const wakes = stores.wakes;
  // Costs, at most every costIntervalSeconds (undefined when 0): the local copies' counters, CloudWatch for AWS copies.
  const measureCosts = await createCostStep({
    config,
    registry,
    findRepository: parts.findRepository,
    log,
    now: () => new Date(),
  });
  // The maintenance run the reaper Lambda makes too: expiry, what a crash left with no job, lost wakes.
  const maintenance = runPeriodically(
    async () => {
      await runMaintenance({
        registry,
        queue,
        nameMaxLength: config.nameMaxLength,
        wakeWorker: () => worker.wake(),
        rewakeStalled: wakes && ((at) => wakes.rewakeStalled(at)),
        measureCosts,
        log,
        now: () => new Date(),
      });
    },
    config.reapIntervalSeconds * 1000,
    (err) => log.error({ err }, "maintenance run failed"),
  );
  // With GitHub credentials: branches, pull requests and missed deliveries, every reconcileIntervalSeconds.
  reconciliation?.schedule();
  // Source trees (one per deployed commit, a full copy of the repository each) and the dependency
  // installs they link to. Hourly is enough.
  const sourceSweeper = runPeriodically(
    async () => {
      const trees = await sweepSourceTrees({
        sourcesDir: dirs.sources,
        uploadsDir: dirs.uploads,
        stateTexts: await parts.readStates(),
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
    `  previews:        http://<environment>.${addresses.domain}:${addresses.port()}/ (routed to local copies; repositories with previewAccess "link" need a share link)`,
    `  dashboard:       http://${config.host}:${port}/ (${config.signIn ? "people sign in with GitHub and act by their permission on each repository" : `reads ${readsOpen ? (config.publicReads ? "public" : "open on loopback") : "need the token"}; changes need the token`})`,
    `  GitHub:          ${config.github ? `${"token" in config.github.auth ? "token" : `App ${config.github.auth.appId}`} at ${config.github.apiUrl ?? "https://api.github.com"}` : "offline (no GITHUB_TOKEN or GitHub App): notices are logged, sources come from localPath"}`,
    `  sign-in:         ${config.signIn ? `with GitHub (client ${config.signIn.clientId} at ${config.signIn.webUrl}); the API token still works` : "API token only (GITHUB_OAUTH_CLIENT_ID and GITHUB_OAUTH_CLIENT_SECRET turn GitHub sign-in on)"}`,
    `  expiry:          expired environments destroyed (a sweep every ${config.reapIntervalSeconds} s)`,
    `  cost:            ${config.costIntervalSeconds > 0 ? `measured every ${config.costIntervalSeconds} s (copies idle for a day: weekly)` : "not measured (costIntervalSeconds is 0)"}`,
    `  store:           ${stores.describe}`,
    `  sandbox:         ${describeSandbox(provisioner.sandbox)}`,
    `  Pulumi state:    ${config.stateUrl ?? `file://${dirs.state}/backend`} (secrets: ${config.secretsProvider.split("?")[0]})`,
  ];
  console.log(lines.join("\n"));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ready = false;
    log.info({ signal, running: worker.running() }, "shutting down: no new jobs; waiting for running ones");
    await app.close();
    await router.close();
    // Together: the worker's stop bounds the wakes in hand (grace, then abort).
    await Promise.all([wakeConsumer?.stop(), worker.stop(config.shutdownGraceSeconds * 1000)]);
    // Before the databases close: a sweep still running would write to them.
    await maintenance.stop();
    await reconciliation?.close();
    await sourceSweeper.stop();
    provisioner.close?.();
    await stores.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

function describeSandbox(sandbox: { kind: string; reason?: string; uid?: number }): string {
  if (sandbox.kind === "own-uid")
    return `branch code runs in a mount namespace as uid ${sandbox.uid}, seeing only its job's files`;
  if (sandbox.kind === "user-namespace")
    return "branch code runs in a user and mount namespace, seeing only its job's files";
  return `NONE (${sandbox.reason}): branch code gets an allow-listed environment and its own credentials, but sees this machine's files as stackfork's user does`;
}

export function readConfigFile(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}
