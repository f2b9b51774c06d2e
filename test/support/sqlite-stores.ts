import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { JobQueue } from "../../queue/job-queue.ts";
import { createSqliteJobQueue } from "../../queue/sqlite-job-queue.ts";
import type { Registry } from "../../registry/registry.ts";
import { createSqliteRegistry } from "../../registry/sqlite-registry.ts";

export interface SqliteStores {
  registry: Registry;
  queue: JobQueue;
}

/**
 * A fresh SQLite registry and queue (in a temp dir) for each test of the calling `describe`, closed
 * and removed after it. Read the fields inside tests, not when the suite is collected.
 */
export function useSqliteStores(): SqliteStores {
  const stores = {} as SqliteStores;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-stores-"));
    stores.registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
    stores.queue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
  });
  afterEach(async () => {
    await stores.registry.close();
    await stores.queue.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return stores;
}
