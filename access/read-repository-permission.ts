import type { GitHubClient } from "../github/create-github-client.ts";
import { translateGitHubError } from "../github/translate-github-error.ts";

/** A person's permission on a repository, as stackfork acts on it. */
export type RepositoryPermission = "none" | "read" | "write" | "admin";

/** GitHub's roles, folded into stackfork's three (triage reads, maintain writes). */
const ROLES: Record<string, RepositoryPermission> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  push: "write",
  triage: "read",
  read: "read",
  pull: "read",
};

/**
 * Asks GitHub, with the platform's own client, what a person may do on a repository. 404: not a
 * collaborator (or the repository is not the platform's to see), so nothing. Throws
 * GITHUB_UNAVAILABLE when GitHub cannot answer: access is refused rather than guessed.
 * https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
 */
export function createRepositoryPermissionReader(client: GitHubClient) {
  return async (repository: string, login: string): Promise<RepositoryPermission> => {
    const [owner = "", repo = ""] = repository.split("/");
    try {
      const octokit = await client.forRepository(repository);
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
      // role_name knows maintain and triage; `permission` is the legacy admin/write/read/none.
      return ROLES[data.role_name] ?? ROLES[data.permission] ?? "none";
    } catch (err) {
      if ((err as { status?: number }).status === 404) return "none";
      throw translateGitHubError(err, `could not read ${login}'s permission on ${repository}`);
    }
  };
}
