import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Parser, type ReadEntry } from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packWorkingTree } from "./pack-working-tree.ts";

async function listEntries(archive: Buffer): Promise<string[]> {
  const paths: string[] = [];
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      paths.push(entry.path);
      entry.resume();
    },
  });
  await pipeline(Readable.from([archive]), parser);
  return paths.sort();
}

describe("packWorkingTree", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-pack-"));
    const files: Record<string, string> = {
      "README.md": "hi",
      "stacks/service/index.ts": "export default 1;",
      "stacks/service/node_modules/dep/index.js": "x",
      "node_modules/dep/index.js": "x",
      ".git/HEAD": "ref: refs/heads/main",
      ".github/workflows/ci.yml": "on: push",
    };
    for (const [file, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), body);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("packs the tree as a gzip tarball without node_modules and .git, anywhere in it", async () => {
    const archive = await packWorkingTree(dir);
    expect(archive.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const entries = (await listEntries(archive)).filter((p) => !p.endsWith("/"));
    expect(entries).toEqual([".github/workflows/ci.yml", "README.md", "stacks/service/index.ts"]);
  });

  it("gives the same bytes for the same files, whatever their times", async () => {
    const first = await packWorkingTree(dir);
    writeFileSync(path.join(dir, "README.md"), "hi"); // touched, unchanged
    expect((await packWorkingTree(dir)).equals(first)).toBe(true);
    writeFileSync(path.join(dir, "README.md"), "changed");
    expect((await packWorkingTree(dir)).equals(first)).toBe(false);
  });
});
