import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createGroupCommit } from "./create-group-commit.ts";

// The WAL flush, observable: each call waits for `release` (or fails with `failNext`).
const walFlush = vi.hoisted(() => ({
  calls: 0,
  failNext: undefined as Error | undefined,
  held: [] as (() => void)[],
}));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return {
    ...fs,
    fdatasync: (fd: number, callback: (err: Error | null) => void) => {
      walFlush.calls++;
      const failure = walFlush.failNext;
      walFlush.failNext = undefined;
      walFlush.held.push(() => (failure ? callback(failure) : fs.fdatasync(fd, callback)));
    },
  };
});

let dir: string;
let files = 0;
const opened: Database.Database[] = [];
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "stackfork-group-commit-"));
});
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  walFlush.calls = 0;
  walFlush.held = [];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openTable() {
  const file = path.join(dir, `group-${++files}.db`);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE items (name TEXT PRIMARY KEY)");
  const reader = new Database(file, { readonly: true });
  opened.push(db, reader);
  const insert = db.prepare<[string]>("INSERT INTO items (name) VALUES (?)");
  // A transaction function: inside the shared transaction, a savepoint.
  const insertTwo = db.transaction((first: string, second: string) => {
    insert.run(first);
    insert.run(second);
  });
  const committed = () => reader.prepare<[], { name: string }>("SELECT name FROM items ORDER BY name").all();
  return { db, insert, insertTwo, committed };
}

const releaseWalFlushes = () => {
  for (const release of walFlush.held.splice(0)) release();
};

describe("createGroupCommit", () => {
  it("commits the writes of one event-loop turn together, and settles none before", async () => {
    const { db, insert, committed } = openTable();
    const group = createGroupCommit(db);
    const settled: string[] = [];
    const writes = ["a", "b", "c"].map((name) => group.write(() => insert.run(name)).then(() => settled.push(name)));
    // Written, not yet committed: another connection sees nothing, and no write has settled.
    expect(db.inTransaction).toBe(true);
    expect(committed()).toEqual([]);
    await Promise.resolve();
    expect(settled).toEqual([]);

    await Promise.all(writes);
    expect(settled).toEqual(["a", "b", "c"]);
    expect(committed().map((row) => row.name)).toEqual(["a", "b", "c"]);
    expect(db.inTransaction).toBe(false);
  });

  it("undoes a failing write alone: the others of its turn are committed", async () => {
    const { db, insert, insertTwo, committed } = openTable();
    const group = createGroupCommit(db);
    const first = group.write(() => insert.run("a"));
    // "b" is inserted, then "a" collides: its savepoint is rolled back, "b" with it.
    const failing = group.write(() => insertTwo("b", "a"));
    const last = group.write(() => insert.run("c"));
    await expect(failing).rejects.toThrow(/UNIQUE/);
    await Promise.all([first, last]);
    expect(committed().map((row) => row.name)).toEqual(["a", "c"]);
  });

  it("with syncWal, settles a write only once the WAL is flushed to the disk", async () => {
    const { db, insert, committed } = openTable();
    const group = createGroupCommit(db, { syncWal: true });
    let settled = false;
    const write = group
      .write(() => insert.run("a"))
      .then(() => {
        settled = true;
      });
    await new Promise((resolve) => setImmediate(resolve));
    // Committed (another connection sees it), but not acknowledged until the flush is done.
    expect(committed()).toHaveLength(1);
    expect(walFlush.calls).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    releaseWalFlushes();
    await write;
    expect(settled).toBe(true);
  });

  it("with syncWal, fails the writes whose flush failed", async () => {
    const { db, insert } = openTable();
    const group = createGroupCommit(db, { syncWal: true });
    walFlush.failNext = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    const write = group.write(() => insert.run("a"));
    await new Promise((resolve) => setImmediate(resolve));
    releaseWalFlushes();
    await expect(write).rejects.toThrow(/EIO/);
  });

  it("commits and flushes what is pending when closed", async () => {
    const { db, insert, committed } = openTable();
    const group = createGroupCommit(db, { syncWal: true });
    const write = group.write(() => insert.run("a"));
    const closed = group.close();
    expect(committed()).toHaveLength(1);
    releaseWalFlushes();
    await Promise.all([write, closed]);
  });

  it("has nothing to flush for a database in memory", async () => {
    const db = new Database(":memory:");
    opened.push(db);
    db.exec("CREATE TABLE items (name TEXT)");
    const group = createGroupCommit(db, { syncWal: true });
    await group.write(() => db.prepare("INSERT INTO items VALUES ('a')").run());
    expect(walFlush.calls).toBe(0);
  });
});
