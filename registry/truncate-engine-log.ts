export interface TruncatedEngineLog {
  /** The lines that fit in the job's budget, in order. */
  kept: readonly string[];
  /** Some lines were dropped: the job's log is full, and `marker` is its last line. */
  truncated: boolean;
  /** The line that says so, written once after the kept lines; undefined unless truncated. */
  marker?: string;
}

/**
 * What of `lines` a job may still append when `used` of its `maxLinesPerJob` lines are taken: the
 * first ones that fit; the rest are dropped and one marker line says so.
 */
export function truncateEngineLog(lines: readonly string[], used: number, maxLinesPerJob: number): TruncatedEngineLog {
  const kept = lines.slice(0, Math.max(0, maxLinesPerJob - used));
  if (kept.length === lines.length) return { kept, truncated: false };
  const marker = `[stackfork] log truncated: this job reached ${maxLinesPerJob} lines, later lines are dropped`;
  return { kept, truncated: true, marker };
}
