import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSqliteJobQueue } from "../queue/sqlite-job-queue.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { serveCopy } from "../stacks/service/local/serve-copy.ts";
import { startPreviewHarness } from "../test/support/preview-harness.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

/**
 * One process of bench/preview-router.ts: `copy` serves the production stack's handler as a local
 * copy does; `router <copy url> <environments>` is the dashboard's server with the preview router
 * in front (test/support/preview-harness.ts), over a SQLite registry holding that many ready
 * environments, all pointing at the copy. Each says its port over IPC, and its memory when asked.
 */
const [mode, copyUrl, count] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), "stackfork-bench-router-"));
const send = (message: object) => process.send?.(message);
process.on("message", (message) => {
  if ((message as { ask?: string }).ask === "memory") {
    globalThis.gc?.();
    send({ memory: process.memoryUsage() });
  }
});

if (mode === "copy") {
  const copy = await serveCopy({
    dataDir: dir,
    port: 0,
    env: {
      TABLE_NAME: "bench-items",
      STACKFORK_ENVIRONMENT: "bench",
      STACKFORK_REPOSITORY: "acme/shop",
      STACKFORK_BRANCH: "bench",
      STACKFORK_COMMIT: "0000000",
    },
  });
  send({ port: copy.port, url: copy.url });
} else {
  const registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  const queue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
  const now = () => new Date();
  const names: string[] = [];
  for (let i = 0; i < Number(count); i++) {
    const identity = { kind: "branch" as const, repository: "acme/shop", branch: `feature/bench-${i}` };
    names.push((await seedEnvironment(registry, identity, "ready", now(), { url: copyUrl })).name);
  }
  const harness = await startPreviewHarness({ registry, queue, repositories: [{ name: "acme/shop" }], now });
  send({ port: harness.port, names });
}
