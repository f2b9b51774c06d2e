import { lstatSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { StackforkError } from "../../core/errors.ts";

/**
 * A small regular file of the branch's checkout, read on the platform's side: refused when it (or
 * a folder on its way) is a link out of the checkout, so a branch cannot make the platform read
 * another stack's settings or its secrets. Undefined when absent.
 */
export function readBranchFile(rootDir: string, relative: string, maxBytes: number): string | undefined {
  const full = path.resolve(rootDir, relative);
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(full);
  } catch {
    return undefined;
  }
  const root = realpathSync(rootDir);
  const real = realpathSync(full);
  if (!stat.isFile() || path.relative(root, real).startsWith("..") || path.isAbsolute(path.relative(root, real))) {
    throw new StackforkError("COPY_CONFIG_UNAVAILABLE", `${relative} is not a regular file of the branch`);
  }
  if (stat.size > maxBytes)
    throw new StackforkError("COPY_CONFIG_UNAVAILABLE", `${relative} is larger than ${maxBytes} bytes`);
  return readFileSync(full, "utf8");
}
