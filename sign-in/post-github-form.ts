import { StackforkError } from "../core/errors.ts";

/** GitHub's sign-in endpoints answer errors as HTTP 200 with these fields. */
export interface GitHubFormAnswer {
  error?: string;
  error_description?: string;
  [field: string]: unknown;
}

/**
 * A form POST to one of GitHub's sign-in endpoints (on the web host, not the API's), asking for
 * JSON. A network failure or a 5xx is GITHUB_UNAVAILABLE; GitHub's own refusals (`error`) are the
 * caller's to read.
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 */
export async function postGitHubForm(
  webUrl: string,
  path: string,
  fields: Record<string, string | undefined>,
): Promise<GitHubFormAnswer> {
  const form = new URLSearchParams(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  let response: Response;
  try {
    response = await fetch(`${webUrl}${path}`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
  } catch (err) {
    throw new StackforkError("GITHUB_UNAVAILABLE", `GitHub did not answer at ${webUrl}${path}`, { cause: err });
  }
  if (response.status >= 500) {
    throw new StackforkError("GITHUB_UNAVAILABLE", `GitHub answered ${path} with HTTP ${response.status}`);
  }
  const answer = (await response.json().catch(() => undefined)) as GitHubFormAnswer | undefined;
  if (!answer || typeof answer !== "object") {
    throw new StackforkError("GITHUB_UNAVAILABLE", `GitHub answered ${path} with no JSON (HTTP ${response.status})`);
  }
  return answer;
}
