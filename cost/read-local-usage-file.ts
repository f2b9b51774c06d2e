import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import * as z from "zod";

/** 31 days of hours fill about 80 KB; anything much larger was not written by the harness. */
const MAX_FILE_BYTES = 1024 * 1024;
/** The harness keeps 744 hours; a few more are tolerated (a clock set back), the rest ignored. */
const MAX_HOURS = 1000;
/** Far beyond what one local process can serve in an hour: a figure above it is not a count. */
const MAX_PER_HOUR = 1e9;
const MAX_TOTAL = 1e13;

const count = (max: number) => z.number().finite().nonnegative().max(max);
const totalsShape = {
  requests: count(MAX_TOTAL),
  billedMs: count(MAX_TOTAL),
  readUnits: count(MAX_TOTAL),
  writeUnits: count(MAX_TOTAL),
};
const hourSchema = z.object({
  hour: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d$/),
  requests: count(MAX_PER_HOUR),
  billedMs: count(MAX_PER_HOUR * 1000),
  readUnits: count(MAX_PER_HOUR),
  writeUnits: count(MAX_PER_HOUR),
});
const fileSchema = z.object({
  version: z.literal(1),
  hours: z.array(z.unknown()).max(MAX_HOURS),
  before: z.object(totalsShape),
  storedBytes: count(MAX_TOTAL),
});

export type LocalUsageHour = z.infer<typeof hourSchema>;
export interface LocalUsageFile {
  hours: LocalUsageHour[];
  before: Omit<LocalUsageHour, "hour">;
  storedBytes: number;
  /** Hour entries left out as malformed. */
  ignoredHours: number;
}

export type LocalUsageRead = { ok: true; file: LocalUsageFile } | { ok: false; reason: "missing" | "unreadable" };

/**
 * A local copy's usage counters (stacks/service/local/usage-counters-file.ts). Stackfork's harness
 * writes them, but in a directory the copy's own code can write to: so the file is read as untrusted
 * input. No symlink is followed and nothing but a regular file is read (a FIFO would block), at most
 * 1 MB, every number checked; a malformed hour is skipped, a malformed file is unreadable. Never throws.
 */
export function readLocalUsageFile(file: string): LocalUsageRead {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, reason: (err as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "unreadable" };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return { ok: false, reason: "unreadable" };
    const buffer = Buffer.alloc(stat.size);
    const length = readSync(fd, buffer, 0, stat.size, 0);
    const parsed = fileSchema.safeParse(JSON.parse(buffer.subarray(0, length).toString("utf8")));
    if (!parsed.success) return { ok: false, reason: "unreadable" };
    const hours: LocalUsageHour[] = [];
    for (const entry of parsed.data.hours) {
      const hour = hourSchema.safeParse(entry);
      if (hour.success) hours.push(hour.data);
    }
    const { before, storedBytes } = parsed.data;
    return { ok: true, file: { hours, before, storedBytes, ignoredHours: parsed.data.hours.length - hours.length } };
  } catch {
    return { ok: false, reason: "unreadable" };
  } finally {
    closeSync(fd);
  }
}
