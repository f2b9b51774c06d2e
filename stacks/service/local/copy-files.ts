import path from "node:path";

export interface CopyFiles {
  /** dynalite's LevelDB directory: the copy's items. */
  storeDir: string;
  /** The copy process's stdout and stderr. */
  logFile: string;
  /** Written by the copy once it answers; removed when it stops cleanly. */
  pidFile: string;
}

/** Everything a local copy keeps under its data dir; delete removes these and nothing else. */
export function copyFiles(dataDir: string): CopyFiles {
  return {
    storeDir: path.join(dataDir, "dynalite"),
    logFile: path.join(dataDir, "copy.log"),
    pidFile: path.join(dataDir, "copy.pid"),
  };
}
