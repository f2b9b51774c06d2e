import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * A hash of the service's code (every TypeScript file under `serviceDir` but tests), so that the copy
 * restarts when its code changes even at the same commit (a sandbox deployed from a working tree).
 */
export function hashServiceCode(serviceDir: string): string {
  const hash = createHash("sha256");
  const files = readdirSync(serviceDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
    .map((entry) => path.relative(serviceDir, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).includes("node_modules"))
    .sort();
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(serviceDir, file)))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}
