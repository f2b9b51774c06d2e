import { closeSync, openSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The variable naming the file a CloudFormation copy's provider appends its lines to (stack events,
 * change sets). The provider runs in the engine's plugin process, whose own output the engine does
 * not show; it inherits this variable from the runner, which tails the file into the live log.
 */
export const EVENT_LOG_VARIABLE = "STACKFORK_CFN_EVENT_LOG";

/**
 * Creates the file, points `env[EVENT_LOG_VARIABLE]` at it, and sends each whole new line to
 * `emit` as it arrives (polled every 250 ms); `stop` reads what is left and removes the file.
 */
export function tailEventLog(env: NodeJS.ProcessEnv, emit: (line: string) => void) {
  const file = path.join(tmpdir(), `stackfork-cfn-events-${process.pid}-${Date.now()}.log`);
  writeFileSync(file, "");
  env[EVENT_LOG_VARIABLE] = file;
  let offset = 0;
  let rest = "";
  const read = () => {
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size <= offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(file, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    const lines = (rest + buffer.toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) emit(line);
  };
  const timer = setInterval(read, 250);
  return {
    stop() {
      clearInterval(timer);
      read();
      if (rest.trim()) emit(rest);
      rmSync(file, { force: true });
      delete env[EVENT_LOG_VARIABLE];
    },
  };
}
