import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createUsageCounters } from "./create-usage-counters.ts";
import type { UsageCountersFile } from "./usage-counters-file.ts";

// The harness's counters on a real file, with a clock of our own.
describe("createUsageCounters", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "stackfork-usage-counters-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as UsageCountersFile;

  it("keeps the counts per UTC hour across restarts, and measures the table when it closes", async () => {
    const file = path.join(dir, "restart.json");
    let clock = new Date("2026-12-07T18:59:00Z");
    let stored = 100;
    const start = () =>
      createUsageCounters({ file, now: () => clock, measureStoredBytes: async () => stored, flushDelayMs: 60_000 });
    const first = start();
    first.record({ requests: 1, billedMs: 3 });
    first.record({ writeUnits: 2 });
    await first.close();
    expect(read(file).hours).toEqual([
      { hour: "2026-12-07T18", requests: 1, billedMs: 3, readUnits: 0, writeUnits: 2 },
    ]);
    expect(read(file).storedBytes).toBe(100);

    clock = new Date("2026-12-07T19:01:00Z");
    stored = 250;
    const second = start();
    second.record({ requests: 2, billedMs: 4, readUnits: 0.5 });
    await second.close();
    const after = read(file);
    expect(after.hours.map((h) => [h.hour, h.requests])).toEqual([
      ["2026-12-07T18", 1],
      ["2026-12-07T19", 2],
    ]);
    expect(after.storedBytes).toBe(250);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it("keeps 31 days of hours and sums the older ones, so the file stays small and the life total whole", async () => {
    const file = path.join(dir, "prune.json");
    const old = Array.from({ length: 800 }, (_, i) => ({
      hour: new Date(Date.UTC(2026, 10, 1) + i * 3_600_000).toISOString().slice(0, 13),
      requests: 1,
      billedMs: 1,
      readUnits: 0,
      writeUnits: 0,
    }));
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        hours: old,
        before: { requests: 5, billedMs: 0, readUnits: 0, writeUnits: 0 },
        storedBytes: 0,
      }),
    );
    const now = new Date(Date.UTC(2026, 10, 1) + 799 * 3_600_000);
    const counters = createUsageCounters({ file, now: () => now, measureStoredBytes: async () => 0 });
    await counters.close();
    const pruned = read(file);
    expect(pruned.hours).toHaveLength(31 * 24);
    expect(pruned.before.requests).toBe(5 + 800 - 31 * 24);
  });

  it("scans the table again once the interval after a write is over, without waiting for another request", async () => {
    const file = path.join(dir, "rescan.json");
    let stored = 0;
    const counters = createUsageCounters({
      file,
      now: () => new Date(),
      measureStoredBytes: async () => stored,
      flushDelayMs: 1,
      storedBytesEveryMs: 200,
    });
    await counters.flush(); // the scan at start: nothing stored
    stored = 1234;
    counters.record({ requests: 1, writeUnits: 1 });
    for (let i = 0; i < 100 && read(file).storedBytes !== 1234; i++) await new Promise((r) => setTimeout(r, 20));
    expect(read(file).storedBytes).toBe(1234);
    await counters.close();
  });

  it("starts afresh from a file it cannot read as its own", async () => {
    const file = path.join(dir, "garbage.json");
    writeFileSync(file, '{"version":1,"hours":"no"}');
    const counters = createUsageCounters({
      file,
      now: () => new Date("2026-12-07T18:00:00Z"),
      measureStoredBytes: async () => {
        throw new Error("the store is gone");
      },
    });
    counters.record({ requests: 1 });
    await counters.close();
    expect(read(file)).toMatchObject({ version: 1, hours: [{ hour: "2026-12-07T18", requests: 1 }], storedBytes: 0 });
  });
});
