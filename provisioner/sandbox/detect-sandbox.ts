import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createSandbox, systemPaths } from "./create-sandbox.ts";
import type { Sandbox } from "./sandbox.ts";

const run = promisify(execFile);

export interface DetectSandboxOptions {
  /** `off`: the operator turned it off (STACKFORK_SANDBOX=off). */
  mode: "auto" | "off";
  unshare: string;
  rootDir: string;
  /** The job's uid when stackfork runs as root. */
  uid: number;
  /** This process's uid (tests pretend). @default process.getuid() */
  processUid?: number;
}

/**
 * Finds the strongest isolation this machine gives, by trying it: a sandbox that cannot start here
 * is reported with the reason, once, and jobs run without it (see Sandbox's `none`).
 */
export async function detectSandbox(options: DetectSandboxOptions): Promise<Sandbox> {
  if (options.mode === "off") return noSandbox("turned off (STACKFORK_SANDBOX=off)");
  if (process.platform !== "linux") return noSandbox(`${process.platform} has no Linux namespaces`);
  const processUid = options.processUid ?? process.getuid?.() ?? -1;
  const sandbox = createSandbox({
    kind: processUid === 0 ? "own-uid" : "user-namespace",
    unshare: options.unshare,
    rootDir: options.rootDir,
    uid: options.uid,
  });
  const probe = sandbox.wrap({ readOnly: systemPaths(), writable: [], hidden: [] }, ["/bin/true"]);
  try {
    await run(probe.file, probe.args, { timeout: 15_000, env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    return sandbox;
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim().split("\n").pop() || (err as Error).message;
    return noSandbox(`${options.unshare} could not make a namespace here: ${detail}`);
  }
}

export function noSandbox(reason: string): Sandbox {
  return { kind: "none", reason, wrap: (_view, [file, ...args]) => ({ file: file as string, args }) };
}
