import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitHubClient } from "../github/create-github-client.ts";
import type { WebhookHook } from "../github/hook-deliveries.ts";
import { submitIntent } from "../intake/submit-intent.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import type { ReconciliationStore } from "./reconciliation-store.ts";
import { redeliverMissedDeliveries } from "./redeliver-missed-deliveries.ts";
import { createSqliteReconciliationStore } from "./sqlite-reconciliation-store.ts";

const TOKEN = "ghp_redeliver";
const REPO = "acme/api";
const appKeys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
});
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

describe("redeliverMissedDeliveries", () => {
  const stores = useSqliteStores();
  let github: GitHubApiDouble;
  let store: ReconciliationStore;
  let dir: string;

  beforeEach(async () => {
    github = await startGitHubApiDouble({ tokens: [TOKEN], app: { id: 4242, publicKey: appKeys.publicKey } });
    github.addRepository(REPO, { installationId: 77 });
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-redeliver-"));
    store = createSqliteReconciliationStore({ file: path.join(dir, "reconciliation.db") });
  });
  afterEach(async () => {
    await github.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (auth: { token: string } | { appId: number; privateKey: string }) =>
    createGitHubClient({
      auth,
      baseUrl: github.baseUrl,
      log: createRecordingLogger(),
      retries: 0,
      retryAfterBaseMs: 1,
      writeIntervalMs: 0,
    });
  const appHook = (): WebhookHook => {
    const app = client({ appId: 4242, privateKey: appKeys.privateKey }).app;
    if (!app) throw new Error("an App client has an app Octokit");
    return { kind: "app", octokit: app };
  };
  const run = (hooks: WebhookHook[], options: { maxRequests?: number; dryRun?: boolean } = {}) =>
    redeliverMissedDeliveries(
      { ...stores, store, log: createRecordingLogger(), now: () => new Date() },
      { hooks, maxRequests: options.maxRequests ?? 20, dryRun: options.dryRun ?? false },
    );

  /** One failed, one succeeded, one failed but handled by us, one failed twice. */
  async function seedDeliveries(hook: "app" | { repository: string; hookId: number }) {
    github.addDelivery(hook, { guid: "lost-once", event: "push", statusCode: 0, deliveredAt: minutesAgo(30) });
    github.addDelivery(hook, { guid: "fine", event: "push", statusCode: 202, deliveredAt: minutesAgo(29) });
    github.addDelivery(hook, { guid: "handled", event: "delete", statusCode: 0, deliveredAt: minutesAgo(28) });
    github.addDelivery(hook, { guid: "lost-twice", event: "push", statusCode: 502, deliveredAt: minutesAgo(27) });
    const newest = github.addDelivery(hook, {
      guid: "lost-twice",
      event: "push",
      statusCode: 0,
      redelivery: true,
      deliveredAt: minutesAgo(20),
    });
    // "handled" did reach us (GitHub counted the answer as failed): its id is in history.
    await submitIntent(
      { ...stores, nameMaxLength: 40 },
      {
        type: "deploy",
        identity: { kind: "branch", repository: REPO, branch: "feature" },
        commitSha: "a".repeat(40),
        cause: { actor: "octocat", deliveryId: "handled", message: "push to feature" },
      },
      new Date(),
    );
    return { newest };
  }

  it("asks exactly one redelivery per lost guid of the App's hook (JWT), and none again next time", async () => {
    const { newest } = await seedDeliveries("app");
    const result = await run([appHook()]);
    expect(result.redeliveries.map((r) => [r.guid, r.outcome])).toEqual([
      ["lost-once", "requested"],
      ["lost-twice", "requested"],
    ]);
    const asked = github.redeliveries();
    expect(asked.map((r) => r.guid)).toEqual(["lost-once", "lost-twice"]);
    expect(asked[1]?.deliveryId).toBe(newest);
    const posts = github.requestsTo("POST", /^\/app\/hook\/deliveries\/\d+\/attempts$/);
    expect(posts).toHaveLength(2);
    expect(posts.every((r) => r.auth === "jwt")).toBe(true);
    expect((await store.getDeliveryCheck("app"))?.requested.map((r) => r.guid).sort()).toEqual([
      "lost-once",
      "lost-twice",
    ]);

    // The redeliveries show up as new attempts with no answer yet: they are not asked again.
    expect((await run([appHook()])).redeliveries).toEqual([]);
    expect(github.redeliveries()).toHaveLength(2);
  });

  it("follows the cursor in Link, and asks a repository webhook's deliveries with the token", async () => {
    const hook = { repository: REPO, hookId: 99 };
    for (let i = 0; i < 130; i++)
      github.addDelivery(hook, {
        guid: `ok-${i}`,
        event: "push",
        statusCode: 200,
        deliveredAt: minutesAgo(50 - i / 10),
      });
    await seedDeliveries(hook);
    const octokit = await client({ token: TOKEN }).forRepository(REPO);
    const result = await run([{ kind: "repository", octokit, repository: REPO, hookId: 99 }], { maxRequests: 1 });
    const lists = github.requestsTo("GET", "/repos/acme/api/hooks/99/deliveries");
    expect(lists.length).toBe(2);
    expect(lists[1]?.query.cursor).toMatch(/^v1_\d+$/);
    // Bounded: one per run, the oldest first.
    expect(result.redeliveries.map((r) => r.guid)).toEqual(["lost-once"]);
    expect(github.requestsTo("POST", /^\/repos\/acme\/api\/hooks\/99\/deliveries\/\d+\/attempts$/)).toHaveLength(1);
  });

  it("a dry run lists what it would ask and asks nothing", async () => {
    await seedDeliveries("app");
    const result = await run([appHook()], { dryRun: true });
    expect(result.redeliveries.map((r) => [r.guid, r.outcome])).toEqual([
      ["lost-once", "would request"],
      ["lost-twice", "would request"],
    ]);
    expect(github.redeliveries()).toEqual([]);
    expect(await store.getDeliveryCheck("app")).toBeUndefined();
  });
});
