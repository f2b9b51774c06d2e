import { closeSync, fdatasync, openSync } from "node:fs";
import type Database from "better-sqlite3";

export interface GroupCommitOptions {
  /**
   * Settle a write only once the WAL file holding its commit is flushed to the disk (`fdatasync`, in
   * libuv's thread pool). With the database at `synchronous = NORMAL` this gives the durability of
   * `FULL` (SQLite's FULL syncs the WAL at each commit) without stopping the event loop for the
   * disk: SQLite syncs inside COMMIT, on this thread. A database in memory has nothing to sync.
   * https://www.sqlite.org/pragma.html#pragma_synchronous
   */
  syncWal?: boolean;
}

export interface GroupCommit {
  /**
   * Runs `work` now, inside the shared transaction, and settles once that transaction is committed
   * (and, with `syncWal`, on the disk). `work` should be a better-sqlite3 transaction function (or
   * one statement): inside the shared transaction it runs as a savepoint, so when it throws its
   * own changes alone are undone.
   */
  write<T>(work: () => T): Promise<T>;
  /** Commits what is pending and waits for it to be on disk (before closing the database). */
  close(): Promise<void>;
}

interface PendingWrite {
  settle: () => void;
  fail: (err: unknown) => void;
}

/**
 * Group commit: every write that arrives in one turn of the event loop joins one transaction, so a
 * burst of webhooks pays one commit (one WAL write, one flush to the disk) instead of one each.
 * Nothing is acknowledged early: each write's promise settles only after its commit, and a failed
 * commit rejects every write it carried. Reads on the same connection see the pending writes, as
 * they would a moment later anyway.
 */
export function createGroupCommit(db: Database.Database, options: GroupCommitOptions = {}): GroupCommit {
  // IMMEDIATE: take the write lock at once, as each write did on its own before.
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  const syncWal = options.syncWal === true && !db.memory;
  // The WAL file lives as long as a connection is open (https://www.sqlite.org/wal.html): this
  // one's is, so the descriptor stays on the same file. Opened at the first commit, when it exists.
  let walFd: number | undefined;
  let pending: PendingWrite[] = [];
  let scheduled = false;
  let awaitingFlush: PendingWrite[] = [];
  let flushing: Promise<void> | undefined;

  function failAll(err: unknown): void {
    const batch = pending;
    pending = [];
    for (const write of batch) write.fail(err);
  }

  function flush(): void {
    scheduled = false;
    if (!db.inTransaction) return;
    try {
      commit.run();
    } catch (err) {
      if (db.inTransaction) rollback.run();
      failAll(err);
      return;
    }
    const batch = pending;
    pending = [];
    if (!syncWal) {
      for (const write of batch) write.settle();
      return;
    }
    awaitingFlush.push(...batch);
    if (!flushing) startFlush();
  }

  /** One WAL flush at a time: the commits made while one runs share the next. */
  function startFlush(): void {
    const batch = awaitingFlush;
    awaitingFlush = [];
    flushing = flushWal().then(
      () => {
        for (const write of batch) write.settle();
      },
      (err: unknown) => {
        for (const write of batch) write.fail(err);
      },
    );
    void flushing.then(() => {
      flushing = undefined;
      if (awaitingFlush.length) startFlush();
    });
  }

  function flushWal(): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        walFd ??= openSync(`${db.name}-wal`, "r");
      } catch (err) {
        reject(err);
        return;
      }
      fdatasync(walFd, (err) => (err ? reject(err) : resolve()));
    });
  }

  return {
    write<T>(work: () => T): Promise<T> {
      let value: T;
      try {
        if (!db.inTransaction) begin.run();
        if (!scheduled) {
          scheduled = true;
          // setImmediate: after the I/O of this turn, so every request read in it shares the commit.
          setImmediate(flush);
        }
        value = work();
      } catch (err) {
        // Some errors (disk full, I/O) roll back the whole transaction, the writes before this one too.
        if (!db.inTransaction) failAll(err);
        return Promise.reject(err);
      }
      return new Promise<T>((resolve, reject) => {
        pending.push({ settle: () => resolve(value), fail: reject });
      });
    },
    async close(): Promise<void> {
      flush();
      while (flushing) await flushing;
      if (walFd !== undefined) closeSync(walFd);
      walFd = undefined;
    },
  };
}
