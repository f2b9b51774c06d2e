import type { Logger } from "../core/logger.ts";
import type { Registry } from "../registry/registry.ts";

export interface BufferJobLogDeps {
  registry: Registry;
  log: Logger;
  now: () => Date;
}

const MAX_LOG_BATCH = 50;

/**
 * The engine's output, written to the environment's log in batches (every 250 ms, or at 50 lines)
 * rather than a write per line, and in order. `flush()` writes the rest and ends the timer.
 */
export function bufferJobLog(deps: BufferJobLogDeps, environmentId: string, jobId: string) {
  let lines: string[] = [];
  let writing = Promise.resolve();
  const flush = () => {
    if (lines.length === 0) return writing;
    const batch = lines;
    lines = [];
    writing = writing
      .then(() => deps.registry.appendLog(environmentId, jobId, batch, deps.now()))
      .catch((err) => {
        deps.log.error({ err }, "could not write the engine log");
      });
    return writing;
  };
  const tick = setInterval(() => void flush(), 250);
  return {
    push: (line: string) => {
      lines.push(line);
      if (lines.length >= MAX_LOG_BATCH) void flush();
    },
    flush: async () => {
      clearInterval(tick);
      await flush();
    },
  };
}
