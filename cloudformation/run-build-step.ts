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
  /** Runs argv in the job's isolation (provisioner/sandbox/run-isolated.ts), `writable` granted to it. */
  run: (argv: string[], writable: string[]) => Promise<{ stdout: string; stderr: string }>;
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
  // In a sandbox a command starts at `/`: the shell changes to the tree, with the folder and the
  // command as arguments, never as text of a shell line.
  const argv = ["sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", options.buildDir, ...options.command];
  try {
    const { stdout, stderr } = await options.run(argv, [options.buildDir]);
    for (const line of `${stdout}\n${stderr}`.split(/\r?\n/).slice(-200))
      if (line.trim()) options.onOutput(`build: ${line}`);
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    const tail = `${stdout}\n${stderr}`.trim().split(/\r?\n/).slice(-20).join("\n");
    throw new StackforkError(
      "BUILD_FAILED",
      `${options.command.join(" ")} failed:\n${tail || (err as Error).message}`,
      { cause: err },
    );
  }
  if (!existsSync(path.join(options.buildDir, options.template)))
    throw new StackforkError("BUILD_FAILED", `${options.command.join(" ")} did not write ${options.template}`);
  return options.buildDir;
}
