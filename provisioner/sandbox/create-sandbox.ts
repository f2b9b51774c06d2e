import { existsSync, mkdirSync, realpathSync } from "node:fs";
import path from "node:path";
import type { Sandbox, SandboxView } from "./sandbox.ts";

const enterScript = path.join(import.meta.dirname, "enter-sandbox.sh");

export interface CreateSandboxOptions {
  kind: "own-uid" | "user-namespace";
  /** util-linux's `unshare` (and `setpriv`, `mount`, `pivot_root` beside it on PATH). */
  unshare: string;
  /** An empty directory a private tmpfs is mounted on, in each job's namespace only. */
  rootDir: string;
  /** `own-uid`: the job's uid. */
  uid?: number;
}

/** The system's programs and libraries, read-only: what node, npm, git and the pulumi CLI need. */
export function systemPaths(execPath = process.execPath): string[] {
  const paths = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];
  // Node installed outside /usr (nvm, /opt): its prefix too.
  const nodePrefix = path.dirname(path.dirname(realpathSync(execPath)));
  if (!paths.some((p) => nodePrefix === p || nodePrefix.startsWith(`${p}/`))) paths.push(nodePrefix);
  // DNS: /etc/resolv.conf is often a link into /run.
  try {
    const resolv = realpathSync("/etc/resolv.conf");
    if (!resolv.startsWith("/etc/")) paths.push(path.dirname(resolv));
  } catch {
    // no resolver configured
  }
  return paths;
}

export function createSandbox({ kind, unshare, rootDir, uid }: CreateSandboxOptions): Sandbox {
  mkdirSync(rootDir, { recursive: true });
  const namespaces =
    kind === "own-uid"
      ? ["--mount", "--propagation", "private"]
      : ["--user", "--map-root-user", "--mount", "--propagation", "private"];
  const who = kind === "own-uid" ? [String(uid), "show"] : ["keep", "hide"];
  return {
    kind,
    uid,
    wrap(view, argv) {
      return {
        file: unshare,
        args: [...namespaces, "sh", enterScript, rootDir, ...who, ...mountArgs(view), "--", ...argv],
      };
    },
  };
}

/** Parents before children: a path hidden inside a read-only one, then a writable one inside that. */
function mountArgs(view: SandboxView): string[] {
  const entries = [
    ...view.readOnly.map((p) => ["--ro", p] as const),
    ...view.hidden.map((p) => ["--empty", p] as const),
    ...view.writable.map((p) => ["--rw", p] as const),
  ].map(([flag, p]) => [flag, path.resolve(p)] as const);
  const depth = (p: string) => p.split("/").length;
  const order = { "--ro": 0, "--empty": 1, "--rw": 2 };
  entries.sort((a, b) => depth(a[1]) - depth(b[1]) || order[a[0]] - order[b[0]]);
  return entries.filter(([flag, p]) => flag !== "--ro" || existsSync(p)).flat();
}
