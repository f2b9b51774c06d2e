import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { createPersonSessions } from "../../access/create-person-sessions.ts";
import { buildServer, type DashboardOptions } from "../../app/build-server.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";
import { createEnvironmentActions } from "../../dashboard/create-environment-actions.ts";
import type { JobQueue } from "../../queue/job-queue.ts";
import { createSqliteJobQueue } from "../../queue/sqlite-job-queue.ts";
import type { GitHubReconciler } from "../../reconciliation/create-github-reconciler.ts";
import type { Registry } from "../../registry/registry.ts";
import { createSqliteRegistry } from "../../registry/sqlite-registry.ts";
import type { GitHubSignInClient } from "../../sign-in/sign-in-options.ts";

export const DASHBOARD_TOKEN = "dashboard-test-token";

export interface DashboardHarnessOptions {
  repositories?: Partial<RepositoryConfig>[];
  /** @default true (a loopback server) */
  readsOpen?: boolean;
  sandboxesPerOwner?: number;
  /** @default 1 MiB */
  uploadMaxBytes?: number;
  /** @default a fixed clock the test moves with `advance` */
  start?: Date;
  /** Reconciliation with GitHub; absent: an offline server. */
  reconciler?: GitHubReconciler;
  /** `GET /api/orphans`' sources; absent: a server that keeps no Pulumi state (404). */
  listStacks?: DashboardOptions["listStacks"];
  findCloudOrphans?: DashboardOptions["findCloudOrphans"];
  allowedHosts?: DashboardOptions["allowedHosts"];
  listen?: DashboardOptions["listen"];
  trustProxy?: DashboardOptions["trustProxy"];
  httpsOnly?: DashboardOptions["httpsOnly"];
  /** Sign-in with GitHub through this client (the GitHub double's), GitHub's callback under `publicUrl`; absent: off. */
  signIn?: GitHubSignInClient & { publicUrl?: string };
  /** What people and named tokens may do (access/check-permission.ts); absent: the server's default. */
  permissions?: DashboardOptions["permissions"];
}

/**
 * The real app (`buildServer`) on a real SQLite registry and queue in a temp dir, with no worker:
 * tests seed environments straight through the registry port and read what the API and pages
 * queued. `app.inject()` for API tests; `listen()` for the browser.
 */
export async function createDashboardHarness(options: DashboardHarnessOptions = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "stackfork-dashboard-"));
  const registry: Registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  const queue: JobQueue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
  let clock = options.start ?? new Date("2026-11-27T12:00:00Z");
  const now = () => clock;
  const repositories = (options.repositories ?? [{ name: "acme/api" }]).map(
    (r) =>
      ({
        stackPath: "stacks/service",
        defaultBranch: "main",
        target: "local",
        ttlHours: 72,
        ...r,
      }) as RepositoryConfig,
  );
  const uploadMaxBytes = options.uploadMaxBytes ?? 1024 * 1024;
  const actions = createEnvironmentActions({
    registry,
    queue,
    nameMaxLength: 40,
    repositories,
    sandboxesPerOwner: options.sandboxesPerOwner,
    uploads: { dir: path.join(dir, "uploads"), maxBytes: uploadMaxBytes * 10, maxEntries: 10_000 },
    now,
  });
  const app: FastifyInstance = await buildServer({
    registry,
    logger: false,
    isReady: () => true,
    intake: {
      registry,
      queue,
      nameMaxLength: 40,
      webhookSecrets: ["dashboard-test-webhook-secret"],
      findRepository: (name) => repositories.find((r) => r.name.toLowerCase() === name.toLowerCase()),
      now,
    },
    dashboard: {
      reconciler: options.reconciler,
      listStacks: options.listStacks,
      findCloudOrphans: options.findCloudOrphans,
      allowedHosts: options.allowedHosts,
      listen: options.listen,
      trustProxy: options.trustProxy,
      httpsOnly: options.httpsOnly,
      signIn: options.signIn && {
        client: options.signIn,
        publicUrl: options.signIn.publicUrl,
        sessions: createPersonSessions({ store: registry, now: () => clock }),
      },
      permissions: options.permissions,
      apiToken: DASHBOARD_TOKEN,
      readsOpen: options.readsOpen ?? true,
      actions,
      repositories,
      uploadMaxBytes,
      now,
    },
  });
  return {
    dir,
    app,
    registry,
    queue,
    now,
    advance(ms: number) {
      clock = new Date(clock.getTime() + ms);
      return clock;
    },
    bearer: { authorization: `Bearer ${DASHBOARD_TOKEN}` },
    async close() {
      await app.close();
      await queue.close();
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type DashboardHarness = Awaited<ReturnType<typeof createDashboardHarness>>;
