/** What a job sees of the file system: every other path does not exist for it. */
export interface SandboxView {
  readOnly: string[];
  writable: string[];
  /** Shown empty even inside a read-only path (the data dir inside the app's folder). */
  hidden: string[];
}

/**
 * The runner's isolation on this machine (detect-sandbox.ts):
 * - `own-uid`: stackfork runs as root: a mount namespace with only the job's view, and the job runs
 *   as a uid of its own with no capability;
 * - `user-namespace`: stackfork runs as a user: a user and a mount namespace with only the job's
 *   view, no capability left, /proc hidden (the job has stackfork's uid);
 * - `none`: no namespaces here (macOS, a kernel or container that forbids them, Lambda): the job
 *   runs with the allow-listed environment only, and `reason` says why.
 */
export interface Sandbox {
  kind: "own-uid" | "user-namespace" | "none";
  reason?: string;
  /** `own-uid`: the uid the job runs as; its writable paths are handed to it. */
  uid?: number;
  /** The command that runs `argv` inside `view` (`none`: `argv` itself). */
  wrap(view: SandboxView, argv: string[]): { file: string; args: string[] };
}
