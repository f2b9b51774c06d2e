import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { type Zippable, zipSync } from "fflate";
import { StackforkError } from "../core/errors.ts";

// Every entry gets the same time (the zip format's earliest, 1980-01-01) and a mode from its
// executable bit only, and entries are in sorted order: the same content gives the same bytes,
// so its content-addressed key is the same and an unchanged folder uploads nothing.
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);

/**
 * Zips a folder (or one file) as `sam package` would hand it to Lambda, byte for byte the same for
 * the same content. Links are followed only inside `root` (the branch's tree): a link out of it is
 * refused rather than packaged.
 */
export function zipDeterministically(source: string, root: string): Uint8Array {
  const files: Zippable = {};
  const add = (file: string, name: string) => {
    const mode = statSync(file).mode;
    files[name] = [
      readFileSync(file),
      { mtime: FIXED_TIME, os: 3, attrs: ((mode & 0o111 ? 0o755 : 0o644) | 0o100000) << 16 },
    ];
  };
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = path.join(dir, entry);
      const kind = kindOf(full, root);
      if (kind === "dir") walk(full, `${prefix}${entry}/`);
      else if (kind === "file") add(full, `${prefix}${entry}`);
    }
  };
  const kind = kindOf(source, root);
  if (kind === "dir") walk(source, "");
  else if (kind === "file") add(source, path.basename(source));
  return zipSync(files, { level: 6, mtime: FIXED_TIME });
}

function kindOf(file: string, root: string): "dir" | "file" | "other" {
  const link = lstatSync(file);
  if (link.isSymbolicLink()) {
    const real = realpathSync(file);
    const relative = path.relative(realpathSync(root), real);
    if (relative.startsWith("..") || path.isAbsolute(relative))
      throw new StackforkError(
        "TEMPLATE_INVALID",
        `${path.relative(root, file)} links out of the repository: not packaged`,
      );
  }
  const stat = statSync(file);
  return stat.isDirectory() ? "dir" : stat.isFile() ? "file" : "other";
}
