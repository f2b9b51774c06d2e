import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const stackSource = path.resolve(import.meta.dirname, "../../stacks/service");
// CI machines may have no git identity configured.
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "stackfork test",
  GIT_AUTHOR_EMAIL: "test@stackfork.invalid",
  GIT_COMMITTER_NAME: "stackfork test",
  GIT_COMMITTER_EMAIL: "test@stackfork.invalid",
};

/**
 * A real git repository holding a copy of stacks/service, to be a configured repository's
 * `localPath`: branches and commits are made here and then announced with signed webhooks.
 */
export function createFixtureRepository(dir: string) {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: gitEnv, encoding: "utf8" }).trim();
  git("init", "--quiet", "--initial-branch=main");
  cpSync(stackSource, path.join(dir, "stacks/service"), {
    recursive: true,
    filter: (src) => !src.includes("node_modules") && !src.endsWith(".test.ts"),
  });
  writeFileSync(path.join(dir, "README.md"), "fixture\n");
  git("add", "-A");
  git("commit", "--quiet", "-m", "initial");

  return {
    dir,
    /** Commits a change on `branch` (created from main when new) and returns the new SHA. */
    commit(branch: string, note: string): string {
      const exists = (() => {
        try {
          git("rev-parse", "--verify", "--quiet", `refs/heads/${branch}`);
          return true;
        } catch {
          return false;
        }
      })();
      if (exists) git("checkout", "--quiet", branch);
      else git("checkout", "--quiet", "-b", branch, "main");
      writeFileSync(path.join(dir, "NOTE.txt"), `${note}\n`);
      git("add", "NOTE.txt");
      git("commit", "--quiet", "-m", note);
      const sha = git("rev-parse", "HEAD");
      git("checkout", "--quiet", "main");
      return sha;
    },
    /** Commits every change of the work tree to main (a new stack project, say). */
    addAll(message: string): void {
      git("add", "-A");
      git("commit", "--quiet", "-m", message);
    },
    deleteBranch(branch: string): void {
      git("branch", "--quiet", "-D", branch);
    },
  };
}

export type FixtureRepository = ReturnType<typeof createFixtureRepository>;
