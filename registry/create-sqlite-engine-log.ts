import { environmentNotFound } from "./environment-not-found.ts";
import type { SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";
import type { Registry } from "./registry.ts";
import { requirePositiveInteger } from "./require-positive-integer.ts";
import { truncateEngineLog } from "./truncate-engine-log.ts";

/** The engine log of the SQLite registry: lines numbered per environment, a budget of lines per job. */
export function createSqliteEngineLog(
  { db, sql, group }: SqliteRegistryStore,
  maxLogLinesPerJob: number,
): Pick<Registry, "appendLog" | "readLog"> {
  const appendLog = db.transaction((environmentId: string, jobId: string, lines: readonly string[], now: Date) => {
    if (!sql.environmentExists.get(environmentId)) throw environmentNotFound(environmentId);
    if (lines.length === 0) return;
    const job = sql.logJob.get(environmentId, jobId) ?? { line_count: 0, truncated: 0 };
    if (job.truncated) return;
    const at = now.toISOString();
    let seq = sql.lastLogSeq.get(environmentId)?.seq ?? 0;
    const { kept, truncated, marker } = truncateEngineLog(lines, job.line_count, maxLogLinesPerJob);
    for (const text of kept) sql.insertLogLine.run(environmentId, ++seq, jobId, at, text);
    if (marker !== undefined) sql.insertLogLine.run(environmentId, ++seq, jobId, at, marker);
    sql.upsertLogJob.run({
      environment_id: environmentId,
      job_id: jobId,
      line_count: job.line_count + kept.length,
      truncated: truncated ? 1 : 0,
    });
  });

  return {
    appendLog: (environmentId, jobId, lines, now) => group.write(() => appendLog(environmentId, jobId, lines, now)),
    readLog: async (environmentId, options = {}) => {
      if (options.limit !== undefined) requirePositiveInteger(options.limit, "limit");
      const afterSeq = options.afterSeq ?? 0;
      const limit = options.limit ?? -1;
      const rows =
        options.jobId === undefined
          ? sql.logOfEnvironment.all(environmentId, afterSeq, limit)
          : sql.logOfJob.all(environmentId, options.jobId, afterSeq, limit);
      return rows.map((row) => ({ seq: row.seq, jobId: row.job_id, at: row.at, text: row.text }));
    },
  };
}
