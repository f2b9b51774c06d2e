import type { PlatformConfig } from "./stackfork-platform-config.ts";

/** The variable that names the GitHub secret: the App's private key with `stackfork:githubAppId`, else a token. */
export function githubSecretEnv(settings: Pick<PlatformConfig, "githubAppId">): string {
  return settings.githubAppId ? "GITHUB_APP_PRIVATE_KEY_ARN" : "GITHUB_TOKEN_ARN";
}
