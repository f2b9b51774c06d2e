import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { copyFiles } from "./copy-files.ts";
import { isCopyAnswering } from "./is-copy-answering.ts";
import type { LocalCopyInputs } from "./local-copy-inputs.ts";
import { stopCopyProcess } from "./stop-copy-process.ts";

/** Loading the AWS SDK and dynalite through tsx takes seconds on a small machine; give it a minute. */
const READY_POLLS = 600;
const READY_POLL_MS = 100;

export interface StartedCopy {
  pid: number;
  port: number;
  url: string;
}

/**
 * Starts the copy's process from the checkout's `serveEntry` on `port` and waits until it answers.
 * Detached (its own session, so the engine ending its plugins does not end it), stdio to the log
 * file, unref'd: it outlives the deploy.
 */
export async function startCopyProcess(inputs: LocalCopyInputs, port: number): Promise<StartedCopy> {
  const { logFile } = copyFiles(inputs.dataDir);
  mkdirSync(inputs.dataDir, { recursive: true });
  const log = openSync(logFile, "a");
  const child = spawn(
    process.execPath,
    ["--import", resolveTsxLoader(inputs.serveEntry), inputs.serveEntry, inputs.dataDir],
    {
      cwd: inputs.dataDir,
      detached: true,
      stdio: ["ignore", log, log],
      env: buildCopyEnv(inputs, port),
    },
  );
  closeSync(log);
  let exit: string | undefined;
  child.once("exit", (code, signal) => (exit = signal ?? `code ${code}`));
  child.once("error", (err) => (exit = err.message));
  child.unref();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < READY_POLLS && exit === undefined; i++) {
    if (await isCopyAnswering(url, inputs)) return { pid: child.pid as number, port, url };
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  await stopCopyProcess({ pid: child.pid, dataDir: inputs.dataDir });
  throw new Error(
    `The copy did not answer on ${url} (${exit ? `it exited: ${exit}` : "still starting"}). Last lines of ${logFile}:\n${tail(logFile)}`,
  );
}

/**
 * Only what the copy needs: the engine's environment holds the state passphrase and cloud
 * credentials, which a copy of the app has no business seeing.
 */
function buildCopyEnv(inputs: LocalCopyInputs, port: number): NodeJS.ProcessEnv {
  const inherited = ["PATH", "HOME", "LANG", "TZ", "NODE_PATH", "TMPDIR"] as const;
  return {
    ...Object.fromEntries(
      inherited.filter((key) => process.env[key] !== undefined).map((key) => [key, process.env[key]]),
    ),
    PORT: String(port),
    TABLE_NAME: inputs.tableName,
    STACKFORK_ENVIRONMENT: inputs.environment,
    STACKFORK_REPOSITORY: inputs.repository,
    STACKFORK_BRANCH: inputs.branch,
    STACKFORK_COMMIT: inputs.commit,
    ...(inputs.owner ? { STACKFORK_OWNER: inputs.owner } : {}),
  };
}

/** The checkout's own tsx (or, through NODE_PATH, the platform's), so its TypeScript runs as is. */
function resolveTsxLoader(serveEntry: string): string {
  return pathToFileURL(createRequire(serveEntry).resolve("tsx")).href;
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}
