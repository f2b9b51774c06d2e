import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { RUN_MARKER } from "../../provisioner/end-marked-processes.ts";

export interface ProcessInfo {
  pid: number;
  /** Its parent (1, or a subreaper, once its own parent died). */
  ppid: number;
  /** The command line, one entry per argument. */
  args: string[];
  /** The value of STACKFORK_RUN in its environment (`<server id>/<runner id>`), when it has one. */
  runMarker?: string;
  /** Its working directory, when it can be read. */
  cwd?: string;
}

/**
 * Every process of this machine, read from /proc as an auditor would: its command line, its
 * STACKFORK_RUN marker and its working directory. Zombies and processes gone meanwhile are left out.
 * Linux only (the engine's processes are found the same way: provisioner/end-marked-processes.ts).
 */
export function readProcesses(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (args.length === 0) continue; // a zombie, or a kernel thread
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const environ = readFileSync(`/proc/${name}/environ`, "latin1").split("\0");
      const marker = environ.find((entry) => entry.startsWith(`${RUN_MARKER}=`))?.slice(RUN_MARKER.length + 1);
      let cwd: string | undefined;
      try {
        cwd = readlinkSync(`/proc/${name}/cwd`);
      } catch {
        cwd = undefined;
      }
      found.push({
        pid: Number(name),
        ppid,
        args,
        ...(marker !== undefined && { runMarker: marker }),
        ...(cwd && { cwd }),
      });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
