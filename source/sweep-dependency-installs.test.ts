import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepDependencyInstalls } from "./sweep-dependency-installs.ts";

const HOUR = 3_600_000;
const now = new Date("2026-11-27T12:00:00.000Z");

describe("sweepDependencyInstalls", () => {
  let dir: string;
  let depsDir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-deps-sweep-"));
    depsDir = path.join(dir, "deps");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An install as install-stack-dependencies.ts leaves it, last used `hoursAgo` before `now`. */
  const install = (name: string, hoursAgo: number) => {
    const installDir = path.join(depsDir, name);
    mkdirSync(path.join(installDir, "node_modules", "left-pad"), { recursive: true });
    writeFileSync(path.join(installDir, "node_modules", "left-pad", "index.js"), "");
    const at = new Date(now.getTime() - hoursAgo * HOUR);
    utimesSync(installDir, at, at);
    return installDir;
  };
  /** A source tree whose stack project (at `stackPath`) links to `target`. */
  const treeLinkedTo = (name: string, stackPath: string, target: string) => {
    const stackDir = path.join(dir, "sources", "acme-api", name, stackPath);
    mkdirSync(stackDir, { recursive: true });
    symlinkSync(target, path.join(stackDir, "node_modules"), "dir");
    return path.join(dir, "sources", "acme-api", name);
  };

  it("removes old installs no remaining tree links to, and keeps the linked and the recent", async () => {
    const linked = install("aaaaaaaaaaaaaaaa", 48);
    const linkedDeep = install("bbbbbbbbbbbbbbbb", 48);
    const unlinked = install("cccccccccccccccc", 2);
    const recent = install("dddddddddddddddd", 0.5);
    const crashed = install("eeeeeeeeeeeeeeee.partial-Ab12Cd", 2);
    const platform = path.join(dir, "platform", "node_modules");
    mkdirSync(platform, { recursive: true });
    const trees = [
      treeLinkedTo("one", "stacks/service", path.join(linked, "node_modules")),
      treeLinkedTo("two", "infra/stacks/a/service", path.join(linkedDeep, "node_modules")),
      treeLinkedTo("three", ".", platform), // a stack without a lockfile: the platform's modules
    ];

    const removed = await sweepDependencyInstalls({ depsDir, treeDirs: trees, minAgeMs: HOUR, now });

    expect(removed.sort()).toEqual([unlinked, crashed].sort());
    for (const kept of [linked, linkedDeep, recent]) expect(existsSync(kept)).toBe(true);
    expect(existsSync(platform)).toBe(true);
  });

  it("has nothing to do before anything was ever installed", async () => {
    expect(await sweepDependencyInstalls({ depsDir, treeDirs: [], minAgeMs: HOUR, now })).toEqual([]);
  });
});
