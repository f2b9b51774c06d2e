import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvironmentIdentity } from "../core/environment.ts";
import { nameEnvironment } from "../core/environment-name.ts";
import { isStackforkError } from "../core/errors.ts";
import { createSqliteJobQueue } from "../queue/sqlite-job-queue.ts";
import { describeAccessStoreContract } from "./access-store-contract.ts";
import { describeCostStoreContract } from "./cost-store-contract.ts";
import { describeRegistryContract } from "./registry-contract.ts";
import { createSqliteRegistry } from "./sqlite-registry.ts";
import { sqliteRegistryMigrations } from "./sqlite-registry-migrations.ts";

let dir: string;
let files = 0;
const newFile = () => path.join(dir, `registry-${++files}.db`);
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "stackfork-registry-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let lastFile = "";
describeRegistryContract(
  "sqlite",
  async () => {
    lastFile = newFile();
    return createSqliteRegistry({ file: lastFile });
  },
  { reopen: async () => createSqliteRegistry({ file: lastFile }) },
);
describeAccessStoreContract(
  "sqlite",
  async () => {
    lastFile = newFile();
    return createSqliteRegistry({ file: lastFile });
  },
  { reopen: async () => createSqliteRegistry({ file: lastFile }) },
);

describeCostStoreContract(
  "sqlite",
  async () => {
    lastFile = newFile();
    return createSqliteRegistry({ file: lastFile });
  },
  { reopen: async () => createSqliteRegistry({ file: lastFile }) },
);

const t0 = new Date("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const branch = (name: string): EnvironmentIdentity => ({ kind: "branch", repository: "acme/api", branch: name });

describe("createSqliteRegistry", () => {
  it("applies its migrations once: reopening keeps the schema version and the data", async () => {
    const file = newFile();
    const registry = createSqliteRegistry({ file });
    await registry.ensureEnvironment(branch("kept"), { status: "queued", now: at(0) });
    await registry.close();
    for (let i = 0; i < 3; i++) {
      const reopened = createSqliteRegistry({ file });
      expect(await reopened.countByStatus()).toEqual({ queued: 1 });
      await reopened.close();
    }
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("user_version", { simple: true })).toBe(sqliteRegistryMigrations.length);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });

  it("refuses the queue's file and a file from a newer schema with CONFIG_INVALID", async () => {
    const queueFile = newFile();
    await createSqliteJobQueue({ file: queueFile }).close();
    expect(codeOf(() => createSqliteRegistry({ file: queueFile }))).toBe("CONFIG_INVALID");

    const newer = newFile();
    await createSqliteRegistry({ file: newer }).close();
    const raw = new Database(newer);
    raw.pragma(`user_version = ${sqliteRegistryMigrations.length + 1}`);
    raw.close();
    expect(codeOf(() => createSqliteRegistry({ file: newer }))).toBe("CONFIG_INVALID");
  });

  it("throws NAME_TAKEN when both the plain and the hashed name belong to other environments", async () => {
    const file = newFile();
    const registry = createSqliteRegistry({ file });
    const identity = branch("contested");
    // Only a hash collision does this in practice; plant the rows directly.
    const raw = new Database(file);
    const plant = raw.prepare(
      `INSERT INTO environments (id, name, identity_key, kind, repository, repository_key, branch, status, created_at, updated_at, search_text)
       VALUES (@name, @name, @key, 'branch', 'acme/api', 'acme/api', @name, 'ready', @at, @at, @name)`,
    );
    for (const forceHash of [false, true]) {
      const name = nameEnvironment(identity, { forceHash });
      plant.run({ name, key: `planted:${name}`, at: at(0).toISOString() });
    }
    raw.close();
    const error = await registry.ensureEnvironment(identity, { status: "queued", now: at(1) }).catch((e: unknown) => e);
    expect(isStackforkError(error, "NAME_TAKEN")).toBe(true);
    expect(await registry.findEnvironment(identity)).toBeUndefined();
    await registry.close();
  });

  it("bounds the log by maxLogLinesPerJob", async () => {
    const registry = createSqliteRegistry({ file: newFile(), maxLogLinesPerJob: 3 });
    const env = await registry.ensureEnvironment(branch("short-log"), { status: "queued", now: at(0) });
    await registry.appendLog(env.id, "job-1", ["a", "b"], at(1));
    await registry.appendLog(env.id, "job-1", ["c", "d", "e"], at(2));
    await registry.appendLog(env.id, "job-1", ["f"], at(3));
    const lines = await registry.readLog(env.id);
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).map((l) => l.text)).toEqual(["a", "b", "c"]);
    expect(["d", "e", "f"]).not.toContain(lines[3]?.text);
    await registry.close();
  });

  it("forgets delivery ids older than deliveryRetainHours, and remembers younger ones", async () => {
    const registry = createSqliteRegistry({ file: newFile(), deliveryRetainHours: 1 });
    expect(await registry.rememberDelivery("old", at(0))).toBe("new");
    // Handled: an event carries its id (a delivery with no trace is taken again much sooner).
    const env = await registry.ensureEnvironment(branch("retained"), { status: "queued", now: at(0) });
    for (const deliveryId of ["old", "new"]) {
      await registry.appendEvent({
        environmentId: env.id,
        at: at(0).toISOString(),
        type: "deploy_requested",
        message: "push",
        deliveryId,
      });
    }
    expect(await registry.rememberDelivery("old", at(3599))).toBe("replayed");
    expect(await registry.rememberDelivery("new", at(3601))).toBe("new");
    expect(await registry.rememberDelivery("old", at(3602))).toBe("new");
    expect(await registry.rememberDelivery("new", at(3603))).toBe("replayed");
    await registry.close();
  });

  it("rejects options that make no sense with CONFIG_INVALID", () => {
    expect(codeOf(() => createSqliteRegistry({ file: newFile(), maxLogLinesPerJob: 0 }))).toBe("CONFIG_INVALID");
    expect(codeOf(() => createSqliteRegistry({ file: newFile(), deliveryRetainHours: -1 }))).toBe("CONFIG_INVALID");
    expect(codeOf(() => createSqliteRegistry({ file: path.join(dir, "missing-dir", "r.db") }))).toBe("CONFIG_INVALID");
  });
});

function codeOf(open: () => unknown): string {
  try {
    open();
  } catch (err) {
    return isStackforkError(err) ? err.code : "not a StackforkError";
  }
  return "no error";
}
