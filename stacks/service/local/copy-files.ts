import path from "node:path";
import { USAGE_COUNTERS_FILE_NAME } from "./usage-counters-file.ts";

export interface CopyFiles {
  /** dynalite's LevelDB directory: the copy's items. */
  storeDir: string;
  /** The copy process's stdout and stderr. */
  logFile: string;
  /** Written by the copy once it answers; removed when it stops cleanly. */
  pidFile: string;
  /** dynalite's endpoint (`http://127.0.0.1:<port>`), written with the pid file: how stackfork's items seed reaches the table. */
  endpointFile: string;
  /** The harness's usage counters per hour (usage-counters-file.ts): written by stackfork's code, readable by the copy's. */
  usageFile: string;
  /** The counters' next version while it is written (then renamed over usageFile): left by a kill mid-write. */
  usageTempFile: string;
}

/** Everything a local copy keeps under its data dir; delete removes these and nothing else. */
export function copyFiles(dataDir: string): CopyFiles {
  return {
    storeDir: path.join(dataDir, "dynalite"),
    logFile: path.join(dataDir, "copy.log"),
    pidFile: path.join(dataDir, "copy.pid"),
    endpointFile: path.join(dataDir, "dynamodb-endpoint"),
    usageFile: path.join(dataDir, USAGE_COUNTERS_FILE_NAME),
    usageTempFile: path.join(dataDir, `${USAGE_COUNTERS_FILE_NAME}.tmp`),
  };
}
