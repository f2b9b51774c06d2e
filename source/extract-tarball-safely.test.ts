import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isStackforkError } from "../core/errors.ts";
import { buildTarball } from "../test/support/build-tarball.ts";
import { extractTarballSafely } from "./extract-tarball-safely.ts";

let work: string;
let cache: string;
let destination: string;

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), "stackfork-extract-"));
  // The cache folder sits one level below `work`, so anything escaping it by one `..` lands in `work`.
  cache = path.join(work, "cache");
  mkdirSync(cache);
  destination = path.join(cache, "tree");
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStackforkError(err)) throw new Error(`expected a StackforkError, got ${String(err)}`);
  return err.code;
}

/** Nothing is left behind: no destination, no scratch folder, nothing written beside the cache. */
function expectNothingLeft() {
  expect(readdirSync(cache)).toEqual([]);
  expect(readdirSync(work)).toEqual(["cache"]);
}

describe("extractTarballSafely", () => {
  it("extracts a git-archive tarball (GitHub's format), dropping the top-level folder", async () => {
    const repo = path.join(work, "repo");
    mkdirSync(path.join(repo, "stacks/service"), { recursive: true });
    writeFileSync(path.join(repo, "README.md"), "hello\n");
    writeFileSync(path.join(repo, "stacks/service/index.ts"), "export default 1;\n");
    writeFileSync(path.join(repo, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t.invalid", ...args]);
    git("init", "--quiet");
    execFileSync("ln", ["-s", "stacks/service/index.ts", path.join(repo, "entry.ts")]);
    git("add", "-A");
    git("commit", "--quiet", "-m", "one");
    // GitHub serves `git archive` output with a `<owner>-<repo>-<sha7>/` prefix and a pax global header.
    const archive = execFileSync("git", [
      "-C",
      repo,
      "archive",
      "--format=tar.gz",
      "--prefix=acme-api-1234567/",
      "HEAD",
    ]);

    await extractTarballSafely({ archive, destination, stripComponents: 1 });

    expect(readdirSync(destination).sort()).toEqual(["README.md", "entry.ts", "run.sh", "stacks"]);
    expect(readFileSync(path.join(destination, "stacks/service/index.ts"), "utf8")).toBe("export default 1;\n");
    expect(readFileSync(path.join(destination, "entry.ts"), "utf8")).toBe("export default 1;\n");
    expect(lstatSync(path.join(destination, "entry.ts")).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(destination, "run.sh")).mode & 0o777).toBe(0o755);
    expect(readdirSync(cache)).toEqual(["tree"]);
  });

  it("reads a stream as well as a buffer, and reduces modes to 0644 / 0755", async () => {
    const archive = buildTarball([
      { path: "top/", type: "Directory" },
      { path: "top/setuid", body: "x", mode: 0o4777 },
      { path: "top/writable", body: "y", mode: 0o666 },
    ]);
    await extractTarballSafely({ archive: Readable.from([archive]), destination, stripComponents: 1 });
    expect(lstatSync(path.join(destination, "setuid")).mode & 0o7777).toBe(0o755);
    expect(lstatSync(path.join(destination, "writable")).mode & 0o7777).toBe(0o644);
  });

  it("allows a relative link that stays inside the tree", async () => {
    const archive = buildTarball([
      { path: "top/a/b/file.txt", body: "inside" },
      { path: "top/a/up", type: "SymbolicLink", linkpath: "../a/b/file.txt" },
    ]);
    await extractTarballSafely({ archive, destination, stripComponents: 1 });
    expect(readFileSync(path.join(destination, "a/up"), "utf8")).toBe("inside");
  });

  it("refuses a `../` entry and leaves nothing behind", async () => {
    const archive = buildTarball([
      { path: "top/ok.txt", body: "fine" },
      { path: "top/../../escaped.txt", body: "out" },
    ]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_UNSAFE");
    expectNothingLeft();
  });

  it("refuses `..` even where stripping would hide it", async () => {
    const archive = buildTarball([{ path: "../escaped.txt", body: "out" }]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_UNSAFE");
    expectNothingLeft();
  });

  it("refuses an absolute path and writes nothing there", async () => {
    const outside = path.join(work, "absolute.txt");
    const archive = buildTarball([{ path: outside, body: "out" }]);
    expect(await refusal(extractTarballSafely({ archive, destination }))).toBe("ARCHIVE_UNSAFE");
    expect(existsSync(outside)).toBe(false);
    expectNothingLeft();
  });

  it("refuses a symlink to /etc", async () => {
    const archive = buildTarball([
      { path: "top/etc", type: "SymbolicLink", linkpath: "/etc" },
      { path: "top/etc/passwd", body: "root::0:0::/:/bin/sh\n" },
    ]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_UNSAFE");
    expectNothingLeft();
  });

  it("refuses a relative symlink that climbs out of the tree", async () => {
    const archive = buildTarball([{ path: "top/out", type: "SymbolicLink", linkpath: "../../.." }]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_UNSAFE");
    expectNothingLeft();
  });

  it("refuses a chain of links that only leads out once followed", async () => {
    // Each link looks inside on its own: `a/up` -> `..` is the root, `escape` -> `a/up/..` normalizes
    // to `a`; followed for real, `a/up/..` is the root's parent.
    const archive = buildTarball([
      { path: "top/a/", type: "Directory" },
      { path: "top/a/up", type: "SymbolicLink", linkpath: ".." },
      { path: "top/escape", type: "SymbolicLink", linkpath: "a/up/.." },
    ]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_UNSAFE");
    expectNothingLeft();
  });

  it("refuses a dangling link", async () => {
    const archive = buildTarball([{ path: "top/nowhere", type: "SymbolicLink", linkpath: "missing/file" }]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_UNSAFE");
    expectNothingLeft();
  });

  it("refuses writing through a link, even one that stays inside", async () => {
    const archive = buildTarball([
      { path: "top/real/", type: "Directory" },
      { path: "top/alias", type: "SymbolicLink", linkpath: "real" },
      { path: "top/alias/file.txt", body: "through the link" },
    ]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_UNSAFE");
    expectNothingLeft();
  });

  it("refuses hard links and devices", async () => {
    const hard = buildTarball([
      { path: "top/file", body: "x" },
      { path: "top/hard", type: "Link", linkpath: "top/file" },
    ]);
    expect(await refusal(extractTarballSafely({ archive: hard, destination, stripComponents: 1 }))).toBe(
      "ARCHIVE_UNSAFE",
    );
    const device = buildTarball([{ path: "top/tty", type: "CharacterDevice" }]);
    expect(await refusal(extractTarballSafely({ archive: device, destination, stripComponents: 1 }))).toBe(
      "ARCHIVE_UNSAFE",
    );
    expectNothingLeft();
  });

  it("refuses contents over the size cap", async () => {
    const archive = buildTarball([
      { path: "top/a", body: Buffer.alloc(600) },
      { path: "top/b", body: Buffer.alloc(600) },
    ]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1, maxBytes: 1000 }))).toBe(
      "ARCHIVE_TOO_LARGE",
    );
    expectNothingLeft();
  });

  it("refuses more entries than the cap", async () => {
    const archive = buildTarball(Array.from({ length: 11 }, (_, i) => ({ path: `top/f${i}`, body: "x" })));
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1, maxEntries: 10 }))).toBe(
      "ARCHIVE_TOO_LARGE",
    );
    expectNothingLeft();
  });

  it("refuses bytes that are not a tar archive", async () => {
    const archive = Buffer.from("<html>this is not a tarball</html>".repeat(40));
    expect(await refusal(extractTarballSafely({ archive, destination }))).toBe("ARCHIVE_INVALID");
    expectNothingLeft();
  });

  it("refuses a truncated tar.gz", async () => {
    const whole = buildTarball([{ path: "top/a", body: Buffer.alloc(4096, 1) }]);
    const archive = whole.subarray(0, Math.floor(whole.length / 2));
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_INVALID");
    expectNothingLeft();
  });

  it("passes a failing source stream's own error on, and leaves nothing behind", async () => {
    const archive = new Readable({
      read() {
        this.destroy(Object.assign(new Error("connection reset"), { code: "ECONNRESET" }));
      },
    });
    const err = await extractTarballSafely({ archive, destination }).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe("ECONNRESET");
    expectNothingLeft();
  });

  it("refuses an archive that names one path twice", async () => {
    const archive = buildTarball([
      { path: "top/file", body: "first" },
      { path: "top/file", body: "second" },
    ]);
    expect(await refusal(extractTarballSafely({ archive, destination, stripComponents: 1 }))).toBe("ARCHIVE_INVALID");
    expectNothingLeft();
  });

  it("stops cleanly when the download fails in the middle of a file", async () => {
    const whole = buildTarball([{ path: "top/big", body: randomBytes(1024 * 1024) }]);
    const archive = new Readable({
      read() {
        this.push(whole.subarray(0, Math.floor(whole.length / 2)));
        this.destroy(Object.assign(new Error("connection reset"), { code: "ECONNRESET" }));
      },
    });
    const err = await extractTarballSafely({ archive, destination, stripComponents: 1 }).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe("ECONNRESET");
    expectNothingLeft();
  });

  it("never replaces an existing destination", async () => {
    mkdirSync(destination);
    writeFileSync(path.join(destination, "keep.txt"), "mine");
    const archive = buildTarball([{ path: "top/other.txt", body: "theirs" }]);
    await expect(extractTarballSafely({ archive, destination, stripComponents: 1 })).rejects.toThrow();
    expect(readdirSync(destination)).toEqual(["keep.txt"]);
    expect(readdirSync(cache)).toEqual(["tree"]);
  });
});
