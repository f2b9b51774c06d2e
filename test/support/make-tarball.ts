import { gzipSync } from "node:zlib";
import { Header } from "tar";

export interface TarEntry {
  path: string;
  /** @default "File" */
  type?: "File" | "Directory" | "SymbolicLink" | "Link";
  body?: string;
  linkpath?: string;
}

/**
 * A gzip tarball written block by block, so that tests can also make the hostile ones no tar
 * tool would write (`../x`, `/etc/x`, links out of the tree).
 */
export function makeTarball(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? "");
    const type = entry.type ?? "File";
    const header = new Header({
      path: entry.path,
      type,
      mode: type === "Directory" ? 0o755 : 0o644,
      size: type === "File" ? body.length : 0,
      mtime: new Date("2026-01-01T00:00:00Z"),
      uid: 0,
      gid: 0,
      linkpath: entry.linkpath,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (type === "File" && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
