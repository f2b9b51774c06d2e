import { findEngineProcesses } from "./find-engine-processes.ts";

/** pulumi CLI commands that run the engine on a stack (or take its lock away: cancel). */
const ENGINE_COMMANDS = new Set(["up", "refresh", "destroy", "preview", "import", "cancel"]);

export interface EngineOverlap {
  stack: string;
  /** The command lines of the engines seen at once on that stack. */
  commands: string[];
}

export interface StackEngineWatch {
  /** Stops sampling. `runs`: engine processes seen per stack (distinct pids), to show the watch saw them. */
  stop(): { overlaps: EngineOverlap[]; runs: Record<string, number> };
}

/**
 * Samples, every `everyMs`, the pulumi CLI processes the stackfork server on `dataDir` runs (or
 * left, after a kill -9): more than one engine command on one stack at one moment is an overlap.
 * It sees what a sample catches, no more; the stack's update history is the other witness (an
 * update killed midway leaves none there).
 */
export function watchStackEngines(dataDir: string, everyMs = 250): StackEngineWatch {
  const overlaps: EngineOverlap[] = [];
  const pids = new Map<string, Set<number>>();
  const sample = () => {
    const byStack = new Map<string, string[]>();
    const cli = findEngineProcesses(dataDir).filter(
      (p) => p.args[0]?.endsWith("/pulumi") && ENGINE_COMMANDS.has(p.args[1] ?? ""),
    );
    const pidsNow = new Set(cli.map((p) => p.pid));
    for (const p of cli) {
      // A plugin the CLI is starting shows the CLI's own command line until its exec (Go forks,
      // then execs): it is that engine, not a second one.
      if (pidsNow.has(p.ppid)) continue;
      const at = p.args.indexOf("--stack");
      const stack = at >= 0 ? p.args[at + 1]?.split("/").at(-1) : undefined;
      if (!stack) continue;
      byStack.set(stack, [
        ...(byStack.get(stack) ?? []),
        `${p.pid} (parent ${p.ppid}, ${p.runMarker ?? "unmarked"}): ${p.args.join(" ")}`,
      ]);
      pids.set(stack, (pids.get(stack) ?? new Set()).add(p.pid));
    }
    for (const [stack, commands] of byStack) if (commands.length > 1) overlaps.push({ stack, commands });
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return { overlaps, runs: Object.fromEntries([...pids].map(([stack, seen]) => [stack, seen.size])) };
    },
  };
}
