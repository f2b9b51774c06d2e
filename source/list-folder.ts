import { type Dirent, readdirSync } from "node:fs";

/** A folder's entries; none when it does not exist yet (nothing was ever written there). */
export function listFolder(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** The names of a folder's subfolders; none when it does not exist yet. */
export function listSubfolders(dir: string): string[] {
  return listFolder(dir)
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}
