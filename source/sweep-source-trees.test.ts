import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepSourceTrees } from "./sweep-source-trees.ts";

const HOUR = 3_600_000;
const now = new Date("2026-11-27T12:00:00.000Z");
const sha = (c: string) => c.repeat(40);

describe("sweepSourceTrees", () => {
  let dir: string;
  let sourcesDir: string;
  let uploadsDir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-sweep-"));
    sourcesDir = path.join(dir, "sources");
    uploadsDir = path.join(dir, "uploads");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A tree with a file in it, last used `hoursAgo` before `now`. */
  const tree = (parent: string, name: string, hoursAgo: number) => {
    const treeDir = path.join(parent, name);
    mkdirSync(path.join(treeDir, "stacks", "service"), { recursive: true });
    writeFileSync(path.join(treeDir, "stacks", "service", "index.ts"), "export {};\n");
    const at = new Date(now.getTime() - hoursAgo * HOUR);
    utimesSync(treeDir, at, at);
    return treeDir;
  };

  it("removes old trees nothing needs, and keeps the named, the in-use and the recent", async () => {
    const repo = path.join(sourcesDir, "acme-api");
    const unused = tree(repo, sha("1"), 2);
    const named = tree(repo, sha("2"), 48);
    const live = tree(repo, sha("3"), 48);
    const queuedShort = tree(repo, sha("4"), 48);
    const recent = tree(repo, sha("5"), 0.5);
    const crashed = tree(repo, `${sha("6")}.partial-Ab12Cd`, 2);
    const extracting = tree(repo, `${sha("7")}.partial-Xy34Zw`, 0.01);
    const oldUpload = tree(uploadsDir, "upload-0123456789abcdef", 2);
    const liveUpload = tree(uploadsDir, "upload-fedcba9876543210", 48);
    // The platform's modules, linked from a checkout: removing the checkout must not follow the link.
    const platformModules = path.join(dir, "platform", "node_modules");
    mkdirSync(path.join(platformModules, "@pulumi"), { recursive: true });
    symlinkSync(platformModules, path.join(unused, "node_modules"), "dir");
    const twoHoursAgo = new Date(now.getTime() - 2 * HOUR);
    utimesSync(unused, twoHoursAgo, twoHoursAgo); // linking touched it
    const state = JSON.stringify({
      checkpoint: {
        latest: { resources: [{ inputs: { serveEntry: path.join(named, "stacks/service/run-copy.ts") } }] },
      },
    });

    const { removed, kept } = await sweepSourceTrees({
      sourcesDir,
      uploadsDir,
      stateTexts: [state],
      inUse: new Set([sha("3"), "4444444", "upload-fedcba9876543210"]),
      minAgeMs: HOUR,
      now,
    });

    expect(removed.sort()).toEqual([unused, crashed, oldUpload].sort());
    for (const gone of [unused, crashed, oldUpload]) expect(existsSync(gone)).toBe(false);
    expect(kept.sort()).toEqual([named, live, queuedShort, recent, extracting, liveUpload].sort());
    for (const dir of kept) expect(existsSync(dir)).toBe(true);
    expect(existsSync(path.join(platformModules, "@pulumi"))).toBe(true);
  });

  it("does not take a tree whose name merely starts like a path in the state", async () => {
    const repo = path.join(sourcesDir, "acme-api");
    const named = tree(repo, "abc", 2);
    const lookalike = tree(repo, "ab", 2);
    const state = JSON.stringify({ file: path.join(named, "index.ts") });
    const { removed } = await sweepSourceTrees({
      sourcesDir,
      uploadsDir,
      stateTexts: [state],
      inUse: new Set(),
      minAgeMs: HOUR,
      now,
    });
    expect(removed).toEqual([lookalike]);
  });

  it("has nothing to do before anything was ever checked out", async () => {
    const swept = await sweepSourceTrees({
      sourcesDir,
      uploadsDir,
      stateTexts: [],
      inUse: new Set(),
      minAgeMs: HOUR,
      now,
    });
    expect(swept).toEqual({ removed: [], kept: [] });
  });
});
