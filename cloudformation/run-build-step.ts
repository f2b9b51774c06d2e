import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { StackforkError } from "../core/errors.ts";

export interface BuildStepOptions {
  /** The argument vector of `cloudformation.build.command`. */
  command: readonly string[];
  /** The commit's tree (read-only: shared by every job at this commit). */
  checkoutDir: string;
  /** A folder of the job's own, writable in its sandbox: the build runs in a copy of the tree here. */
  buildDir: string;
  /** The template the build writes, relative to the tree. */
  template: string;
  /**
   * Runs the command in `cwd` in the job's isolation (provisioner/sandbox/run-streamed-isolated.ts),
   * `writable` granted to it, each output line as it comes; resolves with its exit code.
   */
  run: (command: string[], cwd: string, writable: string[], onLine: (line: string) => void) => Promise<number>;
  onOutput: (line: string) => void;
}

/**
 * The repository's build (`cdk synth`, `serverless package`): branch code, run like a stack program,
 * in the job's sandbox with its own credentials, in a writable copy of the tree (the checkout itself
 * stays read-only). Returns the copy, where the template is read from.
 */
export async function runBuildStep(options: BuildStepOptions): Promise<string> {
  rmSync(options.buildDir, { recursive: true, force: true });
  cpSync(options.checkoutDir, options.buildDir, { recursive: true, verbatimSymlinks: true });
  options.onOutput(`build: ${options.command.join(" ")}`);
  // Streamed into the live log as it comes (a synth takes seconds); the last lines kept for the error.
  const tail: string[] = [];
  const onLine = (line: string) => {
    options.onOutput(`build: ${line}`);
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  const code = await options
    .run([...options.command], options.buildDir, [options.buildDir], onLine)
    .catch((err: unknown) => {
      throw new StackforkError(
        "BUILD_FAILED",
        `${options.command.join(" ")} could not start: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    });
  if (code !== 0) {
    throw new StackforkError(
      "BUILD_FAILED",
      `${options.command.join(" ")} failed (exit code ${code}):\n${tail.join("\n")}`,
    );
  }
  if (!existsSync(path.join(options.buildDir, options.template)))
    throw new StackforkError("BUILD_FAILED", `${options.command.join(" ")} did not write ${options.template}`);
  return options.buildDir;
}
