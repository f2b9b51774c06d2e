import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/cloudformation");
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "stackfork test",
  GIT_AUTHOR_EMAIL: "test@stackfork.invalid",
  GIT_COMMITTER_NAME: "stackfork test",
  GIT_COMMITTER_EMAIL: "test@stackfork.invalid",
};

/**
 * A real git repository holding test/fixtures/cloudformation (plain/, sam/, broken/, fixed/), to be
 * the `localPath` of CloudFormation repositories; branches commit changed files.
 */
export function createCloudFormationFixtureRepository(dir: string) {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: gitEnv, encoding: "utf8" }).trim();
  git("init", "--quiet", "--initial-branch=main");
  cpSync(fixtures, dir, { recursive: true });
  git("add", "-A");
  git("commit", "--quiet", "-m", "initial");
  return {
    dir,
    /** Commits `files` (path -> content) on `branch` (made from main when new); returns the SHA. */
    commit(branch: string, files: Record<string, string>, message = "change"): string {
      const exists = git("branch", "--list", branch) !== "";
      git("checkout", "--quiet", ...(exists ? [branch] : ["-b", branch, "main"]));
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), content);
      }
      git("add", "-A");
      git("commit", "--quiet", "--allow-empty", "-m", message);
      const sha = git("rev-parse", "HEAD");
      git("checkout", "--quiet", "main");
      return sha;
    },
    deleteBranch(branch: string): void {
      git("branch", "--quiet", "-D", branch);
    },
  };
}

export type CloudFormationFixtureRepository = ReturnType<typeof createCloudFormationFixtureRepository>;
