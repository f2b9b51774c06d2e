import type { GitHubClient } from "../github/create-github-client.ts";
import { translateGitHubError } from "../github/translate-github-error.ts";

export interface TeamMembershipReaderOptions {
  client: GitHubClient;
  /**
   * The configured repositories: with a GitHub App, a client is one installation's, so the team is
   * read through a repository of its organization (the App needs the organization's Members: read).
   */
  repositories: readonly string[];
}

/**
 * Whether a person is an active member of `org/team-slug` (a pending invitation is not), asked of
 * GitHub; 404: not a member (or the team is not visible to the platform). Throws GITHUB_UNAVAILABLE
 * when GitHub cannot answer.
 * https://docs.github.com/en/rest/teams/members#get-team-membership-for-a-user
 */
export function createTeamMembershipReader({ client, repositories }: TeamMembershipReaderOptions) {
  return async (team: string, login: string): Promise<boolean> => {
    const [org = "", teamSlug = ""] = team.split("/");
    const through =
      repositories.find((repository) => repository.split("/")[0]?.toLowerCase() === org.toLowerCase()) ??
      repositories[0];
    if (through === undefined) return false;
    try {
      const octokit = await client.forRepository(through);
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: teamSlug,
        username: login,
      });
      return data.state === "active";
    } catch (err) {
      if ((err as { status?: number }).status === 404) return false;
      throw translateGitHubError(err, `could not read ${login}'s membership of ${team}`);
    }
  };
}
