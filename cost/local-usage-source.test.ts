import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { findFreePort } from "../stacks/service/local/find-free-port.ts";
import { isCopyProcess } from "../stacks/service/local/is-copy-process.ts";
import { type StartedCopy, startCopyProcess } from "../stacks/service/local/start-copy-process.ts";
import { stopCopyProcess } from "../stacks/service/local/stop-copy-process.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createLocalUsageSource } from "./local-usage-source.ts";

const repositories: Record<string, RepositoryConfig> = {
  "acme/shop": { name: "acme/shop", target: "local" } as RepositoryConfig,
  "acme/cloud": { name: "acme/cloud", target: "aws" } as RepositoryConfig,
};

function environment(name: string, repository = "acme/shop"): Environment {
  return {
    id: `id-${name}`,
    name,
    kind: "branch",
    repository,
    branch: "main",
    status: "ready",
    createdAt: "2026-12-01T00:00:00.000Z",
    updatedAt: "2026-12-01T00:00:00.000Z",
  };
}

// A real copy process (the local target's run-copy.ts, dynalite on disk): requests to its URL, then
// what its harness counted, read back through the usage source as the maintenance run would.
describe("local copies' usage counters", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "stackfork-local-usage-"));
  const log = createRecordingLogger();
  const source = createLocalUsageSource({
    dataDir,
    findRepository: (name) => repositories[name],
    log,
    region: "eu-west-1",
  });
  const copyDir = path.join(dataDir, "copies", "shop-main");
  let copy: StartedCopy | undefined;

  beforeAll(async () => {
    copy = await startCopyProcess(
      {
        providerModule: path.resolve("stacks/service/local/local-copy-provider.ts"),
        serveEntry: path.resolve("stacks/service/local/run-copy.ts"),
        codeHash: "test",
        dataDir: copyDir,
        tableName: "shop-main-items",
        environment: "shop-main",
        repository: "acme/shop",
        branch: "main",
        commit: "abc1234",
      },
      await findFreePort(),
    );
  }, 90_000);

  afterAll(async () => {
    if (copy && isCopyProcess(copy.pid, copyDir)) await stopCopyProcess({ pid: copy.pid, dataDir: copyDir });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("counts requests, duration and table units per hour, and the table's size, as AWS would bill them", async () => {
    const url = (copy as StartedCopy).url;
    const note = "n".repeat(1500); // an item of about 1.6 KB: 2 write units, 1 read unit read strongly...
    const created = await fetch(`${url}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "counted", note }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(`${url}/items/${id}`)).status).toBe(200);
    expect((await fetch(`${url}/items/missing`)).status).toBe(404);
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);

    // The harness writes a second after a burst: read until the four requests are there.
    let usage = (await source.measure([environment("shop-main")], new Date())).get("id-shop-main");
    for (let i = 0; i < 100 && usage?.last24h.apiRequests !== 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      usage = (await source.measure([environment("shop-main")], new Date())).get("id-shop-main");
    }
    expect(usage?.last24h).toMatchObject({ apiRequests: 4, lambdaRequests: 4, logIngestedBytes: 0 });
    // ...and eventually consistent: half a unit each, however small the missing item is.
    expect(usage?.last24h.dynamoWriteUnits).toBe(2);
    expect(usage?.last24h.dynamoReadUnits).toBe(1);
    // At least 1 ms billed per request, at 128 MB: 4 x 0.001 s x 0.125 GB.
    expect(usage?.last24h.lambdaGbSeconds).toBeGreaterThanOrEqual(0.0005);
    expect(usage).toMatchObject({ region: "eu-west-1", estimated: true });
    expect(usage?.last30d).toEqual(usage?.last24h);
    expect(usage?.life).toEqual(usage?.last24h);
    expect(usage?.daily).toHaveLength(30);
    expect(usage?.daily.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), usage: usage?.last24h });

    // Stopping measures the table a last time: one item of about 1.6 KB, plus DynamoDB's 100 bytes.
    await stopCopyProcess({ pid: (copy as StartedCopy).pid, dataDir: copyDir });
    const stopped = (await source.measure([environment("shop-main")], new Date())).get("id-shop-main");
    expect(stopped?.stored.dynamoBytes).toBeGreaterThan(1600);
    expect(stopped?.stored.dynamoBytes).toBeLessThan(1800);
    expect(stopped?.last24h.apiRequests).toBe(4);
    const file = JSON.parse(readFileSync(path.join(copyDir, "usage.json"), "utf8"));
    expect(file.hours).toHaveLength(1);
  });

  it("leaves out copies on AWS and copies without counters, and reads a month of hours by window", async () => {
    const now = new Date("2026-12-07T18:30:00Z");
    const dir = path.join(dataDir, "copies", "windows");
    mkdirSync(dir, { recursive: true });
    const hour = (h: string, requests: number) => ({
      hour: h,
      requests,
      billedMs: requests * 1000,
      readUnits: 0,
      writeUnits: 0,
    });
    writeFileSync(
      path.join(dir, "usage.json"),
      JSON.stringify({
        version: 1,
        hours: [
          hour("2026-11-01T00", 1000), // beyond the 30 days: life only
          hour("2026-11-20T10", 100),
          hour("2026-12-06T18", 10), // exactly 24 hours ago: outside the last 24 h
          hour("2026-12-06T19", 1),
          hour("2026-12-07T18", 2),
          hour("2026-12-07T19", 5000), // after now: nowhere
        ],
        before: { requests: 7, billedMs: 0, readUnits: 0, writeUnits: 0 },
        storedBytes: 0,
      }),
    );
    const measured = await source.measure(
      [environment("windows"), environment("never-started"), environment("windows", "acme/cloud")].map((e, i) => ({
        ...e,
        id: `e${i}`,
      })),
      now,
    );
    expect([...measured.keys()]).toEqual(["e0"]);
    const usage = measured.get("e0");
    expect(usage?.last24h.apiRequests).toBe(3);
    expect(usage?.last30d.apiRequests).toBe(113);
    expect(usage?.life.apiRequests).toBe(1120);
    // 3 requests of 1 s at 128 MB.
    expect(usage?.last24h.lambdaGbSeconds).toBe(3 * 0.125);
    expect(usage?.daily[0]?.day).toBe("2026-11-08");
    expect(usage?.daily.find((d) => d.day === "2026-12-06")?.usage.apiRequests).toBe(11);
  });

  it("treats the file as untrusted: garbage, huge figures, a symlink or a FIFO are left out, never a crash", async () => {
    const cases: Record<string, (file: string) => void> = {
      "not-json": (file) => writeFileSync(file, "{"),
      "wrong-version": (file) => writeFileSync(file, JSON.stringify({ version: 2, hours: [] })),
      "negative-stored": (file) =>
        writeFileSync(
          file,
          JSON.stringify({
            version: 1,
            hours: [],
            before: { requests: 0, billedMs: 0, readUnits: 0, writeUnits: 0 },
            storedBytes: -1,
          }),
        ),
      "too-big": (file) => writeFileSync(file, `{"version":1,"x":"${"x".repeat(2 * 1024 * 1024)}"}`),
      symlink: (file) => symlinkSync("/etc/passwd", file),
      fifo: (file) => execFileSync("mkfifo", [file]),
      directory: (file) => mkdirSync(file),
    };
    for (const [name, make] of Object.entries(cases)) {
      const dir = path.join(dataDir, "copies", name);
      mkdirSync(dir, { recursive: true });
      make(path.join(dir, "usage.json"));
    }
    const measured = await source.measure(
      Object.keys(cases).map((name) => environment(name)),
      new Date(),
    );
    expect(measured.size).toBe(0);
    expect(log.records.filter((e) => e.level === "warn").length).toBe(Object.keys(cases).length);

    // A forged hour among good ones is skipped, with a warning; the rest counts.
    const dir = path.join(dataDir, "copies", "mixed");
    mkdirSync(dir, { recursive: true });
    const good = { hour: new Date().toISOString().slice(0, 13), requests: 2, billedMs: 2, readUnits: 0, writeUnits: 0 };
    const forged = [{ ...good, requests: 1e300 }, { ...good, hour: "../../etc" }, { ...good, writeUnits: "9" }, null];
    writeFileSync(
      path.join(dir, "usage.json"),
      JSON.stringify({ version: 1, hours: [good, ...forged], before: { ...good, hour: undefined }, storedBytes: 10 }),
    );
    const mixed = (await source.measure([environment("mixed")], new Date())).get("id-mixed");
    expect(mixed?.last24h.apiRequests).toBe(2);
    expect(mixed?.stored.dynamoBytes).toBe(10);
  });
});
