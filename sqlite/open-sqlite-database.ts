import Database from "better-sqlite3";
import { StackforkError } from "../core/errors.ts";

export interface OpenSqliteDatabaseOptions {
  file: string;
  /**
   * Tags the file as one component's (`PRAGMA application_id`). The registry and the queue each
   * number their migrations with `user_version`, so they must not share a file: opening the other
   * one's file fails with CONFIG_INVALID instead of mixing two schemas.
   */
  applicationId: number;
  /** Schema steps in order: step `i` takes `user_version` from `i` to `i + 1`. Append; never edit a step. */
  migrations: readonly string[];
  /**
   * `NORMAL` in WAL mode survives a crash of the process but may lose the last commits on power loss.
   * https://www.sqlite.org/pragma.html#pragma_synchronous
   * @default "FULL"
   */
  synchronous?: "NORMAL" | "FULL";
}

/** How long a writer waits for another connection's lock (another process on the same file). */
const BUSY_TIMEOUT_MS = 5000;

/** Opens (or creates) a SQLite file in WAL mode and brings its schema up to date. */
export function openSqliteDatabase({
  file,
  applicationId,
  migrations,
  synchronous = "FULL",
}: OpenSqliteDatabaseOptions): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw new StackforkError("CONFIG_INVALID", `cannot open the SQLite file ${file}`, { cause: err });
  }
  try {
    // Before journal_mode: switching to WAL needs a lock another process may hold for a moment.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous}`);
    migrate(db, file, applicationId, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Database.Database, file: string, applicationId: number, migrations: readonly string[]): void {
  const readVersion = () => ({
    owner: db.pragma("application_id", { simple: true }) as number,
    version: db.pragma("user_version", { simple: true }) as number,
  });
  const upToDate = ({ owner, version }: { owner: number; version: number }) =>
    owner === applicationId && version === migrations.length;
  // Every open after the first: nothing to write, so no write lock.
  if (upToDate(readVersion())) return;

  db.transaction(() => {
    // Read again under the write lock: another process may have migrated in between.
    const current = readVersion();
    if (upToDate(current)) return;
    if ((current.owner !== 0 || current.version !== 0) && current.owner !== applicationId) {
      throw new StackforkError("CONFIG_INVALID", `${file} belongs to another stackfork component or program`, {
        details: { file, applicationId: current.owner },
      });
    }
    if (current.version > migrations.length) {
      throw new StackforkError(
        "CONFIG_INVALID",
        `${file} was written by a newer stackfork (schema ${current.version})`,
        {
          details: { file, version: current.version, known: migrations.length },
        },
      );
    }
    for (const step of migrations.slice(current.version)) db.exec(step);
    db.pragma(`application_id = ${applicationId}`);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
