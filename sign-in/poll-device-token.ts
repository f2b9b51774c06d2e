import { StackforkError } from "../core/errors.ts";
import { postGitHubForm } from "./post-github-form.ts";
import type { GitHubSignInClient } from "./sign-in-options.ts";

export type DevicePoll =
  | { status: "pending" }
  /** Wait this many seconds between polls from now on. */
  | { status: "slow_down"; interval: number }
  | { status: "approved"; userToken: string };

/**
 * One poll of the device flow: GitHub answers `authorization_pending` until the person enters the
 * code, `slow_down` (with the new interval) when polled too often, the token once approved.
 * Declined or expired codes end the attempt: SIGN_IN_REFUSED.
 */
export async function pollDeviceToken(client: GitHubSignInClient, deviceCode: string): Promise<DevicePoll> {
  const answer = await postGitHubForm(client.webUrl, "/login/oauth/access_token", {
    client_id: client.clientId,
    device_code: deviceCode,
    grant_type: "urn:ietf:params:oauth:grant-type:device_code",
  });
  if (typeof answer.access_token === "string" && answer.access_token !== "") {
    return { status: "approved", userToken: answer.access_token };
  }
  switch (answer.error) {
    case "authorization_pending":
      return { status: "pending" };
    case "slow_down":
      return { status: "slow_down", interval: typeof answer.interval === "number" ? answer.interval : 10 };
    case "expired_token":
      throw new StackforkError("SIGN_IN_REFUSED", "the code expired before it was entered: run stackfork login again");
    case "access_denied":
      throw new StackforkError("SIGN_IN_REFUSED", "the sign-in was declined on GitHub");
    default:
      throw new StackforkError(
        "SIGN_IN_REFUSED",
        `GitHub refused the device code (${answer.error ?? "no token"}${answer.error_description ? `: ${answer.error_description}` : ""})`,
      );
  }
}
