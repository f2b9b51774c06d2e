import { StackforkError } from "../core/errors.ts";
import { postGitHubForm } from "./post-github-form.ts";
import type { GitHubSignInClient } from "./sign-in-options.ts";

/**
 * The web flow's second step: the code GitHub sent the browser back with, and the PKCE verifier,
 * for a user token. GitHub refuses a code used already or expired (`bad_verification_code`), a
 * verifier that does not match, or a redirect_uri other than the authorize step's.
 */
export async function exchangeGitHubCode(
  client: GitHubSignInClient,
  input: { code: string; codeVerifier: string; redirectUri: string },
): Promise<string> {
  const answer = await postGitHubForm(client.webUrl, "/login/oauth/access_token", {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    code: input.code,
    code_verifier: input.codeVerifier,
    redirect_uri: input.redirectUri,
  });
  if (typeof answer.access_token === "string" && answer.access_token !== "") return answer.access_token;
  if (answer.error === "incorrect_client_credentials") {
    // The platform's mistake, not the person's: said in the log, not on the page.
    throw new StackforkError("CONFIG_INVALID", "GitHub refused GITHUB_OAUTH_CLIENT_ID / GITHUB_OAUTH_CLIENT_SECRET");
  }
  throw new StackforkError(
    "SIGN_IN_REFUSED",
    `GitHub refused the sign-in code (${answer.error ?? "no token"}${answer.error_description ? `: ${answer.error_description}` : ""}): sign in again`,
  );
}
