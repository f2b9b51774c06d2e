import { gzipSync } from "node:zlib";
import { Header } from "tar";

export interface TarballEntry {
  path: string;
  /** @default "File" */
  type?: "File" | "Directory" | "SymbolicLink" | "Link" | "FIFO" | "CharacterDevice";
  body?: string | Buffer;
  linkpath?: string;
  /** @default 0o644 (files), 0o755 (folders) */
  mode?: number;
}

/**
 * A gzipped tar written header by header, so tests can build the archives no honest tool makes
 * (`../` entries, absolute paths, links out of the tree). Paths stay under 100 bytes: no pax headers.
 */
export function buildTarball(entries: TarballEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? "File";
    const body = type === "File" ? Buffer.from(entry.body ?? "") : Buffer.alloc(0);
    const header = new Header({
      path: entry.path,
      type,
      size: body.length,
      mode: entry.mode ?? (type === "Directory" ? 0o755 : 0o644),
      linkpath: entry.linkpath,
      mtime: new Date("2024-01-01T00:00:00Z"),
      uid: 1000,
      gid: 1000,
      uname: "someone",
      gname: "someone",
    });
    header.encode();
    if (!header.block) throw new Error(`could not encode ${entry.path}`);
    blocks.push(header.block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks: the end of the archive
  return gzipSync(Buffer.concat(blocks));
}
