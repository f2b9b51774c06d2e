import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Credentials } from "./read-credentials.ts";

/**
 * Writes the credentials readable by their owner alone (0600, in a 0700 folder), whole or not at
 * all: a temporary file renamed over the old one.
 */
export function saveCredentials(file: string, credentials: Credentials): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
