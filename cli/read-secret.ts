import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * A secret for the CLI: from the environment, else the file `stackfork serve` keeps in the data dir
 * (cli/load-secret.ts). Unlike the server, the CLI never generates one: a new secret would match
 * nothing.
 */
export function readSecret(dataDir: string, name: string, fromEnv: string | undefined): string | undefined {
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(path.join(dataDir, "secrets", name), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
