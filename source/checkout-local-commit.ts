import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { slugify } from "../core/environment-name.ts";
import { StackforkError } from "../core/errors.ts";

const run = promisify(execFile);

export interface CheckoutRequest {
  /** The local clone to read from. */
  clonePath: string;
  repository: string;
  /** A commit SHA, or (when only the branch is known) the branch whose head to take. */
  commitSha?: string;
  branch: string;
  /** Where extracted commits are cached, one directory per SHA. */
  sourcesDir: string;
}

export interface Checkout {
  commitSha: string;
  /** The tree of the commit, read-only by convention: shared by every environment at that SHA. */
  dir: string;
}

const SHA = /^[0-9a-f]{7,40}$/;

/**
 * Extracts a commit of a local clone with `git archive` into a directory cached by SHA. Git runs
 * with an argument array, never through a shell, and branch names only ever appear after
 * `refs/heads/`, so no name can be read as an option or a command.
 */
export async function checkoutLocalCommit(request: CheckoutRequest): Promise<Checkout> {
  const commitSha = await resolveCommit(request);
  const dir = path.join(request.sourcesDir, slugify(request.repository), commitSha);
  if (existsSync(dir)) return { commitSha, dir };

  mkdirSync(path.dirname(dir), { recursive: true });
  // Extract beside the final place, then rename: a crash never leaves a half tree that looks complete.
  const scratch = mkdtempSync(`${dir}.partial-`);
  try {
    const archive = path.join(scratch, "..", `${path.basename(scratch)}.tar`);
    await git(request.clonePath, ["archive", "--format=tar", `--output=${archive}`, commitSha]);
    await run("tar", ["-xf", archive, "-C", scratch]);
    rmSync(archive, { force: true });
    renameSync(scratch, dir);
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    if (existsSync(dir)) return { commitSha, dir }; // another job extracted the same SHA first
    throw err;
  }
  return { commitSha, dir };
}

async function resolveCommit({ clonePath, commitSha, branch, repository }: CheckoutRequest): Promise<string> {
  if (!existsSync(clonePath)) {
    throw new StackforkError("SOURCE_NOT_FOUND", `${repository}: localPath ${clonePath} does not exist`);
  }
  if (commitSha !== undefined && !SHA.test(commitSha)) {
    throw new StackforkError("SOURCE_NOT_FOUND", `${repository}: ${JSON.stringify(commitSha)} is not a commit SHA`);
  }
  const rev = commitSha ?? `refs/heads/${branch}`;
  try {
    const { stdout } = await git(clonePath, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
    return stdout.trim();
  } catch (err) {
    const what = commitSha ? `commit ${commitSha}` : `branch ${JSON.stringify(branch)}`;
    throw new StackforkError(
      "SOURCE_NOT_FOUND",
      `${repository}: ${what} is not in the local clone ${clonePath} (fetch it there, or push again)`,
      { cause: err },
    );
  }
}

function git(cwd: string, args: string[]) {
  return run("git", ["-C", cwd, ...args], { maxBuffer: 1024 * 1024 });
}
