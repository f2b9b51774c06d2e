import path from "node:path";
import type { Environment } from "../core/environment.ts";
import type { MeasuredUsage, Usage } from "../core/environment-cost.ts";
import type { Logger } from "../core/logger.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { type LocalUsageHour, readLocalUsageFile } from "./read-local-usage-file.ts";
import type { UsageSource } from "./usage-source.ts";

export interface LocalUsageSourceDeps {
  /** stackfork's data dir: a copy's files are under `copies/<environment name>/`. */
  dataDir: string;
  findRepository: (fullName: string) => RepositoryConfig | undefined;
  /**
   * The region the same traffic is priced in.
   * @default "us-east-1"
   */
  region?: string;
  /**
   * The Lambda memory size the copy's duration is priced at, in MB.
   * @default 128 (Lambda's smallest and default size)
   */
  memoryMb?: number;
  log: Logger;
}

const HOUR_MS = 3_600_000;

/**
 * Usage of copies on this machine (`local` target), from the counters their harness keeps per UTC
 * hour: what the same traffic would be billed on AWS, so `estimated`. A request counts once for
 * API Gateway and once for Lambda; log ingestion and the state's share are not counted here (a
 * local copy's log and state stay on this machine). A copy without a counters file yet, or with a
 * malformed one, is left out.
 */
export function createLocalUsageSource(deps: LocalUsageSourceDeps): UsageSource {
  const { region = "us-east-1", memoryMb = 128 } = deps;
  const toUsage = (t: Omit<LocalUsageHour, "hour">): Usage => ({
    lambdaRequests: t.requests,
    lambdaGbSeconds: (t.billedMs / 1000) * (memoryMb / 1024),
    apiRequests: t.requests,
    dynamoReadUnits: t.readUnits,
    dynamoWriteUnits: t.writeUnits,
    logIngestedBytes: 0,
  });
  return {
    async measure(environments: readonly Environment[], now: Date): Promise<Map<string, MeasuredUsage>> {
      const measured = new Map<string, MeasuredUsage>();
      for (const environment of environments) {
        const repository = deps.findRepository(environment.repository);
        if (repository?.target !== "local" || repository.cloudformation) continue;
        const file = path.join(deps.dataDir, "copies", environment.name, "usage.json");
        const read = readLocalUsageFile(file);
        if (!read.ok) {
          if (read.reason === "unreadable")
            deps.log.warn({ environment: environment.id, file }, "a local copy's usage file is malformed: left out");
          continue;
        }
        if (read.file.ignoredHours > 0)
          deps.log.warn(
            { environment: environment.id, ignored: read.file.ignoredHours },
            "malformed usage hours skipped",
          );
        const windows = sumWindows(read.file.hours, now);
        measured.set(environment.id, {
          last24h: toUsage(windows.last24h),
          last30d: toUsage(windows.daily.reduce((sum, d) => add(sum, d.totals), zero())),
          life: toUsage(add(windows.life, read.file.before)),
          daily: windows.daily.map((d) => ({ day: d.day, usage: toUsage(d.totals) })),
          stored: { dynamoBytes: read.file.storedBytes, logBytes: 0, stateBytes: 0 },
          region,
          estimated: true,
        });
      }
      return measured;
    },
  };
}

type Totals = Omit<LocalUsageHour, "hour">;

/** Hours after `now`'s (a clock set back, or a forged entry) count nowhere. */
function sumWindows(hours: readonly LocalUsageHour[], now: Date) {
  const current = now.toISOString().slice(0, 13);
  const dayAgo = new Date(now.getTime() - 24 * HOUR_MS).toISOString().slice(0, 13);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const daily = Array.from({ length: 30 }, (_, i) => ({
    day: new Date(today - (29 - i) * 24 * HOUR_MS).toISOString().slice(0, 10),
    totals: zero(),
  }));
  const dayIndex = new Map(daily.map((d, i) => [d.day, i]));
  let last24h = zero();
  let life = zero();
  for (const hour of hours) {
    if (hour.hour > current) continue;
    life = add(life, hour);
    if (hour.hour > dayAgo) last24h = add(last24h, hour);
    const index = dayIndex.get(hour.hour.slice(0, 10));
    if (index !== undefined) {
      const entry = daily[index] as (typeof daily)[number];
      entry.totals = add(entry.totals, hour);
    }
  }
  return { last24h, life, daily };
}

function zero(): Totals {
  return { requests: 0, billedMs: 0, readUnits: 0, writeUnits: 0 };
}

function add(a: Totals, b: Totals): Totals {
  return {
    requests: a.requests + b.requests,
    billedMs: a.billedMs + b.billedMs,
    readUnits: a.readUnits + b.readUnits,
    writeUnits: a.writeUnits + b.writeUnits,
  };
}
