import { StackforkError } from "../core/errors.ts";
import { postGitHubForm } from "./post-github-form.ts";
import type { GitHubSignInClient } from "./sign-in-options.ts";

export interface DeviceCode {
  /** The handle the CLI polls with; useless without the person's approval. */
  deviceCode: string;
  /** What the person types at `verificationUri`. */
  userCode: string;
  verificationUri: string;
  /** Seconds between polls. */
  interval: number;
  /** Seconds until the codes expire (GitHub: 900). */
  expiresIn: number;
}

/**
 * The device flow's first step (`stackfork login`): asked by the server, with the platform's client
 * id, so a terminal with no browser and no secret can sign in.
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
 */
export async function requestDeviceCode(client: GitHubSignInClient): Promise<DeviceCode> {
  const answer = await postGitHubForm(client.webUrl, "/login/device/code", { client_id: client.clientId });
  const { device_code, user_code, verification_uri, interval, expires_in } = answer;
  if (typeof device_code !== "string" || typeof user_code !== "string" || typeof verification_uri !== "string") {
    // device_flow_disabled: the App's "Enable Device Flow" box is not ticked.
    throw new StackforkError(
      answer.error === "device_flow_disabled" ? "SIGN_IN_OFF" : "GITHUB_UNAVAILABLE",
      `GitHub gave no device code (${answer.error ?? "no error"}${answer.error_description ? `: ${answer.error_description}` : ""})`,
    );
  }
  return {
    deviceCode: device_code,
    userCode: user_code,
    verificationUri: verification_uri,
    interval: typeof interval === "number" ? interval : 5,
    expiresIn: typeof expires_in === "number" ? expires_in : 900,
  };
}
