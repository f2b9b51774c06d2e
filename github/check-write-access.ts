import type { GitHubClient } from "./create-github-client.ts";
import { translateGitHubError } from "./translate-github-error.ts";

const WRITE_ROLES = new Set(["admin", "maintain", "write"]);

/**
 * Whether a user may push to the repository, asked of GitHub (the author association in a payload
 * is only a hint: a former member keeps MEMBER on old comments). Throws GITHUB_UNAVAILABLE when
 * GitHub cannot answer, so the intake refuses rather than guesses.
 * https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
 */
export function createWriteAccessCheck(client: GitHubClient) {
  return async (repository: string, login: string): Promise<boolean> => {
    const [owner = "", repo = ""] = repository.split("/");
    try {
      const octokit = await client.forRepository(repository);
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
      return WRITE_ROLES.has(data.role_name) || WRITE_ROLES.has(data.permission);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return false; // not a collaborator at all
      throw translateGitHubError(err, `could not check ${login}'s access to ${repository}`);
    }
  };
}
