import type * as pulumi from "@pulumi/pulumi";
import type { CopyAccess } from "./create-copy-access.ts";
import type { PlatformSecrets } from "./create-platform-secrets.ts";
import { githubSecretEnv } from "./github-secret-env.ts";
import type { FunctionName } from "./platform-function-name.ts";
import type { PlatformConfig } from "./stackfork-platform-config.ts";

/** The contract's variables (DESIGN.md, "External contract"), and which secret each function reads. */
export function describeFunctionEnvironment(deps: {
  settings: PlatformConfig;
  stateUrl: pulumi.Output<string>;
  secretsProvider: pulumi.Output<string>;
  secrets: PlatformSecrets;
  copyAccess: CopyAccess;
}): Record<FunctionName, Record<string, pulumi.Input<string>>> {
  const { settings, secrets, copyAccess } = deps;
  const common: Record<string, pulumi.Input<string>> = {
    STACKFORK_STORE: "aws",
    STACKFORK_AWS_PREFIX: settings.prefix,
    STACKFORK_STATE_URL: deps.stateUrl,
    STACKFORK_SECRETS_PROVIDER: deps.secretsProvider,
    // Lambda's file system is read-only but /tmp.
    STACKFORK_DATA_DIR: "/tmp/stackfork",
    STACKFORK_CONFIG_JSON: settings.configJson,
    [githubSecretEnv(settings)]: secrets.github.arn,
    ...(settings.githubAppId && { GITHUB_APP_ID: settings.githubAppId }),
  };
  return {
    webhook: { ...common, GITHUB_WEBHOOK_SECRET_ARN: secrets.webhookSecret.arn },
    dashboard: {
      ...common,
      STACKFORK_API_TOKEN_ARN: secrets.apiToken.arn,
      // Sign-in with GitHub happens on the dashboard alone.
      ...(settings.githubOAuthClientId &&
        secrets.githubOAuthClientSecret && {
          GITHUB_OAUTH_CLIENT_ID: settings.githubOAuthClientId,
          GITHUB_OAUTH_CLIENT_SECRET_ARN: secrets.githubOAuthClientSecret.arn,
        }),
      ...(settings.githubWebUrl && { GITHUB_WEB_URL: settings.githubWebUrl }),
    },
    worker: {
      ...common,
      STACKFORK_DEPLOYER_ROLE_ARN: copyAccess.deployer.arn,
      STACKFORK_PERMISSIONS_BOUNDARY_ARN: copyAccess.boundary.arn,
    },
    reaper: { ...common },
  };
}
