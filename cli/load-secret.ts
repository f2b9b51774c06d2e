import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface LoadedSecret {
  value: string;
  /** The file it is kept in, when it was not given in the environment. */
  file?: string;
  generated: boolean;
}

/**
 * A secret from the environment, else the one kept in the data dir, else a new one written there
 * (mode 600) on first start. Its value is never logged; its path is.
 */
export function loadSecret(dataDir: string, name: string, fromEnv: string | undefined): LoadedSecret {
  if (fromEnv) return { value: fromEnv, generated: false };
  const dir = path.join(dataDir, "secrets");
  const file = path.join(dir, name);
  try {
    return { value: readFileSync(file, "utf8").trim(), file, generated: false };
  } catch {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const value = randomBytes(32).toString("hex");
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
    return { value, file, generated: true };
  }
}
