import type Database from "better-sqlite3";
import { decodeListCursor } from "./decode-list-cursor.ts";
import { encodeListCursor } from "./encode-list-cursor.ts";
import { fromSqliteEnvironmentRow } from "./from-sqlite-environment-row.ts";
import type { EnvironmentRow } from "./prepare-sqlite-registry-statements.ts";
import type { EnvironmentPage, ListEnvironmentsQuery } from "./registry.ts";
import { requirePositiveInteger } from "./require-positive-integer.ts";

const DEFAULT_PAGE_LIMIT = 100;

/**
 * One page of environments, newest first. The statement is built from the filters the query uses
 * and kept in `statements` by its text: a handful of shapes, each prepared once.
 */
export function listSqliteEnvironments(
  db: Database.Database,
  statements: Map<string, Database.Statement>,
  query: ListEnvironmentsQuery,
): EnvironmentPage {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  requirePositiveInteger(limit, "limit");
  const where: string[] = [];
  const params: Record<string, string | number> = { limit: limit + 1 };
  if (query.status !== undefined) {
    where.push("status = @status");
    params.status = query.status;
  } else if (!query.includeDestroyed) {
    // Written exactly as the partial index's WHERE so the planner can use it.
    where.push("status <> 'destroyed'");
  }
  if (query.kind !== undefined) {
    where.push("kind = @kind");
    params.kind = query.kind;
  }
  if (query.repository !== undefined) {
    where.push("repository_key = @repository");
    params.repository = query.repository.toLowerCase();
  }
  if (query.owner !== undefined) {
    where.push("owner = @owner COLLATE NOCASE");
    params.owner = query.owner;
  }
  if (query.search) {
    // instr, not LIKE: `%` and `_` in a search are plain characters.
    where.push("instr(search_text, @search) > 0");
    params.search = query.search.toLowerCase();
  }
  if (query.cursor !== undefined) {
    const [updatedAt, id] = decodeListCursor(query.cursor);
    where.push("(updated_at, id) < (@cursorUpdatedAt, @cursorId)");
    params.cursorUpdatedAt = updatedAt;
    params.cursorId = id;
  }
  const text = `SELECT * FROM environments${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY updated_at DESC, id DESC LIMIT @limit`;
  let statement = statements.get(text);
  if (!statement) {
    statement = db.prepare(text);
    statements.set(text, statement);
  }
  const rows = statement.all(params) as EnvironmentRow[];
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    environments: page.map(fromSqliteEnvironmentRow),
    ...(rows.length > limit && last && { nextCursor: encodeListCursor(last.updated_at, last.id) }),
  };
}
