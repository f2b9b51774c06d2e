import { readdirSync } from "node:fs";
import { create } from "tar";

/** Never uploaded: installed dependencies are rebuilt by the server, history stays home. */
const SKIPPED = /(^|\/)(node_modules|\.git)(\/|$)/;

/**
 * A working tree as a gzip tarball for `sandbox up --dir`, without node_modules and .git. Entries
 * carry no times and no owners, so the same files give the same bytes, hence the same upload id:
 * uploading an unchanged tree again deploys nothing new.
 */
export async function packWorkingTree(dir: string): Promise<Buffer> {
  const entries = readdirSync(dir)
    .filter((name) => !SKIPPED.test(name))
    .sort();
  const chunks: Buffer[] = [];
  const stream = create(
    { gzip: true, cwd: dir, portable: true, noMtime: true, filter: (entryPath) => !SKIPPED.test(entryPath) },
    entries,
  );
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
