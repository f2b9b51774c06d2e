import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import {
  emptyTotals,
  type HourUsage,
  hourOf,
  USAGE_HOURS_KEPT,
  type UsageCountersFile,
  type UsageTotals,
} from "./usage-counters-file.ts";

export interface UsageCountersOptions {
  /** The counters file (usage-counters-file.ts), in the copy's data dir. */
  file: string;
  now: () => Date;
  /** The table's size now (uncounted: measuring is not the copy's traffic). */
  measureStoredBytes: () => Promise<number>;
  /** @default 1000: a burst of requests becomes one write of the file. */
  flushDelayMs?: number;
  /** @default 10000: the table is scanned again at most this often after writes through the copy. */
  storedBytesEveryMs?: number;
  /** @default 900000: and this often anyway (an items seed writes to the table without the copy). */
  storedBytesIdleMs?: number;
}

export interface UsageCounters {
  record(usage: Partial<UsageTotals>): void;
  /** Writes what was counted (and measures the table when it changed); the file is replaced whole. */
  flush(): Promise<void>;
  /** Stops the timer, measures the table and writes a last time. */
  close(): Promise<void>;
}

/**
 * What a local copy's handler used, counted by the harness around it (not by the branch's handler)
 * and kept per UTC hour, so that stackfork can show what the same traffic would cost on AWS. The
 * counts survive restarts: the file is read back at start.
 */
export function createUsageCounters(options: UsageCountersOptions): UsageCounters {
  const { file, now, measureStoredBytes, flushDelayMs = 1000, storedBytesEveryMs = 10_000 } = options;
  const { storedBytesIdleMs = 900_000 } = options;
  const state = readPrevious(file);
  let timer: NodeJS.Timeout | undefined;
  let writesSinceMeasure = true;
  let lastMeasure = 0;
  let flushing: Promise<void> = Promise.resolve();
  let closed = false;

  async function write(forceMeasure: boolean): Promise<void> {
    const at = now();
    if (writesSinceMeasure && (forceMeasure || at.getTime() - lastMeasure >= storedBytesEveryMs)) {
      try {
        state.storedBytes = await measureStoredBytes();
        state.storedAt = at.toISOString();
        writesSinceMeasure = false;
        lastMeasure = at.getTime();
      } catch (err) {
        console.error("usage counters: measuring the table failed", err);
      }
    }
    prune(state, at);
    replaceFile(file, `${JSON.stringify(state)}\n`);
    // Writes came too soon after the last scan: scan once the interval is over, not at the next request.
    if (writesSinceMeasure && !closed)
      timer ??= setTimeout(flush, Math.max(0, lastMeasure + storedBytesEveryMs - at.getTime())).unref();
  }

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    flushing = flushing.then(() => write(false)).catch((err) => console.error("usage counters: write failed", err));
    return flushing;
  };

  // Written once at start, so that a copy nobody calls still shows what it stores.
  void flush();
  const remeasure = setInterval(() => {
    writesSinceMeasure = true;
    void flush();
  }, storedBytesIdleMs).unref();

  return {
    record(usage) {
      const hour = hourOf(now());
      let entry = state.hours.at(-1);
      if (entry?.hour !== hour) {
        entry = { hour, ...emptyTotals() };
        state.hours.push(entry);
      }
      for (const key of ["requests", "billedMs", "readUnits", "writeUnits"] as const) entry[key] += usage[key] ?? 0;
      if (usage.writeUnits) writesSinceMeasure = true;
      timer ??= setTimeout(flush, flushDelayMs).unref();
    },
    flush,
    async close() {
      closed = true;
      clearInterval(remeasure);
      clearTimeout(timer);
      timer = undefined;
      await flushing;
      await write(true);
    },
  };
}

/** Hours beyond the kept month move into `before`, so the file stays small and life totals stay whole. */
function prune(state: UsageCountersFile, at: Date): void {
  const oldest = hourOf(new Date(at.getTime() - (USAGE_HOURS_KEPT - 1) * 3_600_000));
  while (state.hours.length > 0 && (state.hours[0] as HourUsage).hour < oldest) {
    const dropped = state.hours.shift() as HourUsage;
    for (const key of ["requests", "billedMs", "readUnits", "writeUnits"] as const) state.before[key] += dropped[key];
  }
}

/** Write-then-rename: a crash leaves the old file or the new one, never half of one. */
function replaceFile(file: string, text: string): void {
  // The name copy-files.ts gives it, so that deleting a copy removes it too.
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** The last run's counts, when the file is ours and whole; otherwise a fresh start. */
function readPrevious(file: string): UsageCountersFile {
  const fresh: UsageCountersFile = { version: 1, hours: [], before: emptyTotals(), storedBytes: 0 };
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as UsageCountersFile;
    const totalsOk = (t: unknown) =>
      typeof t === "object" &&
      t !== null &&
      ["requests", "billedMs", "readUnits", "writeUnits"].every((k) =>
        Number.isFinite((t as Record<string, unknown>)[k]),
      );
    if (parsed.version !== 1 || !Array.isArray(parsed.hours) || !totalsOk(parsed.before)) return fresh;
    const hours = parsed.hours.filter(
      (h) => totalsOk(h) && typeof h.hour === "string" && /^\d{4}-\d\d-\d\dT\d\d$/.test(h.hour),
    );
    return { ...fresh, hours, before: parsed.before, storedBytes: Number(parsed.storedBytes) || 0 };
  } catch {
    return fresh;
  }
}
