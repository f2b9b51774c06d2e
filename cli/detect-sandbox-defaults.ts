import { execFileSync } from "node:child_process";
import { userInfo } from "node:os";
import type { RepositoryConfig } from "../core/repository-config.ts";

export interface SandboxDefaults {
  owner?: string;
  repository?: string;
}

/**
 * What `sandbox up` assumes when not told: the owner is `git config github.user`, else the login
 * name on this machine; the repository is the only configured one, else the GitHub `origin` of the
 * folder. Git runs with argument arrays; a failure just means no default.
 */
export function detectSandboxDefaults(dir: string, repositories: readonly RepositoryConfig[]): SandboxDefaults {
  const git = (...args: string[]) => {
    try {
      return execFileSync("git", ["-C", dir, ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      return "";
    }
  };
  const login = git("config", "--get", "github.user") || safeUsername();
  const owner = login
    .replace(/[^A-Za-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 39);
  const origin = /github\.com[:/]([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(git("remote", "get-url", "origin"))?.[1];
  const repository = repositories.length === 1 ? repositories[0]?.name : origin;
  return { owner: owner || undefined, repository };
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return "";
  }
}
