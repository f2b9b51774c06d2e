import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readlink, realpath, rename, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Parser, type ReadEntry } from "tar";
import { StackforkError } from "../core/errors.ts";

/** @default 200 MiB of file contents */
export const DEFAULT_ARCHIVE_MAX_BYTES = 200 * 1024 * 1024;
/** @default 50,000 entries (files, folders and links) */
export const DEFAULT_ARCHIVE_MAX_ENTRIES = 50_000;

export interface ExtractTarballOptions {
  /** A tar archive, plain or compressed (gzip is detected), as bytes or a stream. */
  archive: Buffer | Readable;
  /** The folder to create. It must not exist yet: it appears complete, or not at all. */
  destination: string;
  /**
   * Leading path components dropped from every entry; entries with no more than that are skipped.
   * GitHub's tarballs hold one top-level `<owner>-<repo>-<sha7>/` folder: 1.
   * @default 0
   */
  stripComponents?: number;
  /** Most bytes of file contents, all entries together. @default DEFAULT_ARCHIVE_MAX_BYTES */
  maxBytes?: number;
  /** Most entries (files, folders, links). @default DEFAULT_ARCHIVE_MAX_ENTRIES */
  maxEntries?: number;
}

/** Entry types a source tree needs. Hard links, devices, FIFOs and sparse files are refused. */
const ALLOWED_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink"]);

/**
 * Extracts an untrusted tar archive (a commit's tarball, an uploaded working tree) into
 * `destination`, refusing the whole archive when one entry is unsafe: an absolute path or a `..`
 * component, a hard link, a device, a write through a link, a symbolic link that is absolute or
 * resolves outside the tree, through other links or not at all (ARCHIVE_UNSAFE); more than
 * `maxBytes` of contents or `maxEntries` entries (ARCHIVE_TOO_LARGE). An archive that cannot be read,
 * or that names one path twice, is ARCHIVE_INVALID. A failing `archive` stream rejects with its own
 * error. Everything lands in a scratch folder beside `destination`, renamed when all passed: a
 * refusal or a crash leaves nothing that looks like a tree. Owners, times and modes other than
 * 0644 / 0755 are not taken from the archive.
 *
 * node-tar parses; the writing is ours. Its own extractor skips `..` entries and makes absolute
 * paths (and a symlink to `/etc`) relative with only a warning, and gives no way to wait for its
 * writes once aborted, so a refusal could race the clean-up.
 * See https://github.com/isaacs/node-tar#warnings-and-errors
 */
export async function extractTarballSafely(options: ExtractTarballOptions): Promise<void> {
  const { destination } = options;
  await mkdir(path.dirname(destination), { recursive: true });
  const scratch = await mkdtemp(`${destination}.partial-`);
  try {
    await unpackInto(scratch, options);
    await refuseLinksLeadingOut(scratch);
    await rename(scratch, destination);
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

async function unpackInto(root: string, options: ExtractTarballOptions): Promise<void> {
  const strip = options.stripComponents ?? 0;
  const maxBytes = options.maxBytes ?? DEFAULT_ARCHIVE_MAX_BYTES;
  const maxEntries = options.maxEntries ?? DEFAULT_ARCHIVE_MAX_ENTRIES;
  const links = new Set<string>();
  let entries = 0;
  let bytes = 0;

  const writeEntry = async (entry: ReadEntry, signal: AbortSignal): Promise<void> => {
    const name = entry.path;
    entries += 1;
    if (entries > maxEntries) {
      throw new StackforkError("ARCHIVE_TOO_LARGE", `the archive has more than ${maxEntries} entries`, {
        details: { maxEntries },
      });
    }
    if (!ALLOWED_TYPES.has(entry.type)) throw unsafe(name, `${entry.type} entries are not allowed`);
    if (isAbsolute(name)) throw unsafe(name, "absolute paths are not allowed");
    if (name.includes("\0")) throw unsafe(name, "a NUL byte in a path is not allowed");
    const parts = name.split("/").filter((part) => part !== "");
    if (parts.includes("..")) throw unsafe(name, "`..` in a path is not allowed");
    if (entry.type !== "Directory" && entry.type !== "SymbolicLink") bytes += entry.size;
    if (bytes > maxBytes) {
      throw new StackforkError("ARCHIVE_TOO_LARGE", `the archive's contents are over ${maxBytes} bytes`, {
        details: { maxBytes },
      });
    }
    // Like `tar --strip-components`: `.` counts as a component when stripping.
    const kept = parts.slice(strip).filter((part) => part !== ".");
    if (kept.length === 0) return void entry.resume();
    const relative = kept.join("/");
    for (let i = 1; i <= kept.length; i++) {
      if (links.has(kept.slice(0, i).join("/"))) throw unsafe(name, "writing through (or over) a link");
    }
    const target = path.join(root, ...kept);
    switch (entry.type) {
      case "Directory":
        await mkdir(target, { recursive: true, mode: 0o755 });
        return void entry.resume();
      case "SymbolicLink": {
        const to = entry.linkpath ?? "";
        if (to === "" || isAbsolute(to) || to.includes("\0")) throw unsafe(name, `a link to ${JSON.stringify(to)}`);
        // Where the link lands, seen from the extracted tree: it must stay below the root.
        const lands = path.posix.normalize(path.posix.join(path.posix.dirname(relative), to));
        if (lands === ".." || lands.startsWith("../")) throw unsafe(name, `a link out of the tree to ${to}`);
        await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
        await symlink(to, target);
        links.add(relative);
        return void entry.resume();
      }
      default: {
        // Git knows only 0644 and 0755; nothing else (setuid, group write) is kept.
        const mode = (entry.mode ?? 0) & 0o111 ? 0o755 : 0o644;
        await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
        await pipeline(Readable.from(entry), createWriteStream(target, { flags: "wx", mode }), { signal });
      }
    }
  };

  const source = Buffer.isBuffer(options.archive) ? Readable.from([options.archive]) : options.archive;
  // Every tar warning (a bad checksum, a truncated entry) is an error: an archive is whole or refused.
  const parser = new Parser({ strict: true });
  const stop = new AbortController();
  let failure: { err: unknown } | undefined;
  let written: Promise<void> = Promise.resolve();

  await new Promise<void>((resolve) => {
    const fail = (err: unknown) => {
      if (failure) return;
      failure = { err };
      stop.abort();
      source.unpipe(parser as unknown as NodeJS.WritableStream);
      source.destroy();
      parser.abort(err instanceof Error ? err : new Error(String(err)));
      resolve();
    };
    // Entries come one at a time (the next once this one's body is read); writes are chained so
    // that a directory exists before its files and a failure stops everything after it.
    parser.on("entry", (entry: ReadEntry) => {
      written = written.then(() => (failure ? void entry.resume() : writeEntry(entry, stop.signal))).catch(fail);
    });
    parser.on("close", () => resolve());
    parser.on("error", (err: unknown) => fail(failure ? undefined : translateTarError(err)));
    // A failing download is not the archive's fault: it is passed on as it is.
    source.on("error", fail);
    source.pipe(parser as unknown as NodeJS.WritableStream);
  });
  await written; // settles every write (the aborted ones too) before anyone removes the scratch folder
  if (failure) throw translateFsError(failure.err);
}

/** The lexical check above cannot see chains (`a -> b/..` where `b` is itself a link): resolve each for real. */
async function refuseLinksLeadingOut(root: string): Promise<void> {
  const realRoot = await realpath(root);
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const item of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, item.name);
      if (item.isDirectory()) pending.push(full);
      else if (item.isSymbolicLink()) {
        const name = path.relative(root, full);
        let resolved: string;
        try {
          resolved = await realpath(full);
        } catch (err) {
          const target = await readlink(full).catch(() => "?");
          throw unsafe(name, `a link to ${target} that does not resolve inside the tree`, err);
        }
        if (resolved !== realRoot && !resolved.startsWith(`${realRoot}${path.sep}`)) {
          throw unsafe(name, `a link that resolves out of the tree to ${await readlink(full)}`);
        }
      }
    }
  }
}

function translateTarError(err: unknown): StackforkError {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  return new StackforkError("ARCHIVE_INVALID", `the archive cannot be read: ${message ?? code}`, { cause: err });
}

/** Two entries for one path, a file where a folder should be, a path too long: not a tree to use. */
function translateFsError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EEXIST" || code === "ENOTDIR" || code === "EISDIR" || code === "ENAMETOOLONG") {
    return new StackforkError("ARCHIVE_INVALID", `the archive has conflicting entries: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return err;
}

function unsafe(name: string, why: string, cause?: unknown): StackforkError {
  return new StackforkError("ARCHIVE_UNSAFE", `the archive is unsafe: ${JSON.stringify(name)}: ${why}`, {
    cause,
    details: { entry: name },
  });
}

function isAbsolute(name: string): boolean {
  return name.startsWith("/") || name.startsWith("\\") || /^[a-zA-Z]:/.test(name);
}
