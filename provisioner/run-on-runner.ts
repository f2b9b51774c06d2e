import type { ConfigEntry } from "../core/config-entry.ts";
import { type ErrorCode, errorCatalogue, StackforkError } from "../core/errors.ts";
import type { RunnerPool } from "./create-runner-pool.ts";
import { endMarkedProcesses } from "./end-marked-processes.ts";
import type { OperationHooks } from "./provisioner.ts";
import type { SandboxView } from "./sandbox/sandbox.ts";
import type { StackOperationMessage, StackOperationRequest } from "./stack-operation.ts";

export interface RunOptions {
  /** What the job's runner sees (ignored without a sandbox). */
  view: SandboxView;
  killAfterMs: number;
}

/**
 * Runs one stack operation on a runner of the pool, in the job's view: streams its output, reports
 * its recoveries, stops it when the job's signal aborts (asked, then killed with everything it
 * started), and settles with its outcome under our error codes.
 */
export function runOnRunner(
  request: StackOperationRequest,
  hooks: OperationHooks,
  { view, killAfterMs }: RunOptions,
  runners: RunnerPool,
) {
  return new Promise<{ outputs: Record<string, unknown>; changes: Record<string, number>; config?: ConfigEntry[] }>(
    (resolve, reject) => {
      if (hooks.signal.aborted) {
        reject(
          new StackforkError(
            "DEPLOY_CANCELLED",
            `${request.operation} of ${request.stackName} cancelled before it started`,
          ),
        );
        return;
      }
      const run = (attempt: number) => {
        const child = runners.take(view);
        let started = false;
        let settled: StackOperationMessage | undefined;
        const stderrTail: string[] = [];
        // Asked first (the engine stops cleanly and releases its lock), then ended with all it started:
        // the next holder of the lease must never meet a live engine on this stack.
        let killTimer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          child.kill("SIGINT");
          killTimer = setTimeout(() => {
            endMarkedProcesses(child.runId);
            child.kill("SIGKILL");
          }, killAfterMs);
        };
        hooks.signal.addEventListener("abort", onAbort, { once: true });

        child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
          for (const line of chunk.split("\n")) if (line.trim()) hooks.onOutput(line);
        });
        child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
          for (const line of chunk.split("\n")) {
            if (!line.trim()) continue;
            hooks.onOutput(line);
            stderrTail.push(line);
            if (stderrTail.length > 20) stderrTail.shift();
          }
        });
        child.on("message", (message: StackOperationMessage) => {
          if (message.type === "started") started = true;
          else if (message.type === "output") hooks.onOutput(message.line);
          else if (message.type === "recovered") hooks.onRecovery(message.message);
          else settled = message;
        });
        // `error` and `exit` may both come (node's docs): the first one ends this runner's part.
        let over = false;
        const end = (outcome: () => void) => {
          if (over) return;
          over = true;
          hooks.signal.removeEventListener("abort", onAbort);
          clearTimeout(killTimer);
          // The CLI and its plugins (in process groups of their own) go with the runner, whatever its end.
          endMarkedProcesses(child.runId);
          // Gone before it took the job (an idle runner that died): nothing ran, so a fresh one may.
          if (!started && attempt === 0 && !hooks.signal.aborted) run(1);
          else outcome();
        };
        child.on("error", (err) =>
          end(() =>
            reject(new StackforkError("DEPLOY_FAILED", `runner could not start: ${err.message}`, { cause: err })),
          ),
        );
        child.on("exit", (code, signal) =>
          end(() => {
            if (settled?.type === "done")
              resolve({
                outputs: settled.outputs,
                changes: settled.changes,
                ...(settled.config && { config: settled.config }),
              });
            else if (settled?.type === "failed") reject(new StackforkError(toErrorCode(settled.code), settled.message));
            else {
              const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
              reject(
                new StackforkError(
                  "DEPLOY_FAILED",
                  `the ${request.operation} runner ${how}:\n${stderrTail.join("\n")}`,
                ),
              );
            }
          }),
        );
        // A runner that died unnoticed fails the send: make sure its exit is seen.
        child.send(request, (err) => {
          if (err) child.kill("SIGKILL");
        });
      };
      run(0);
    },
  );
}

function toErrorCode(code: string): ErrorCode {
  return code in errorCatalogue ? (code as ErrorCode) : "DEPLOY_FAILED";
}
