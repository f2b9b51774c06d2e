import { Octokit } from "@octokit/rest";
import { StackforkError } from "../core/errors.ts";

/**
 * Who a user token belongs to (`GET /user`): the GitHub login stackfork knows the person by. The
 * token is used for this one request and kept nowhere.
 */
export async function readGitHubLogin(userToken: string, apiUrl = "https://api.github.com"): Promise<string> {
  const octokit = new Octokit({ auth: userToken, baseUrl: apiUrl });
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 401)
      throw new StackforkError("SIGN_IN_REFUSED", "GitHub did not accept the new user token", { cause: err });
    throw new StackforkError("GITHUB_UNAVAILABLE", `GET /user failed${status ? ` (HTTP ${status})` : ""}`, {
      cause: err,
    });
  }
}
