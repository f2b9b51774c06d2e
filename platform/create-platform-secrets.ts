import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./stackfork-platform-config.ts";

export interface PlatformSecrets {
  webhookSecret: aws.secretsmanager.Secret;
  apiToken: aws.secretsmanager.Secret;
  /** The App's private key (PEM) with `stackfork:githubAppId`, else a token. */
  github: aws.secretsmanager.Secret;
  /** The sign-in client's secret, with `stackfork:githubOAuthClientId`. */
  githubOAuthClientSecret?: aws.secretsmanager.Secret;
}

/**
 * Created empty, for the operator to fill (`aws secretsmanager put-secret-value`): a value in the
 * program would sit in its state. The AWS managed key encrypts them: free, and no grant to manage.
 */
export function createPlatformSecrets(
  parent: pulumi.ComponentResource,
  deps: { name: string; settings: PlatformConfig },
): PlatformSecrets {
  const { name, settings } = deps;
  const secret = (suffix: string, description: string) =>
    new aws.secretsmanager.Secret(
      `${name}-${suffix}`,
      { name: `${settings.prefix}/${suffix}`, description, recoveryWindowInDays: 7 },
      { parent },
    );
  return {
    webhookSecret: secret("github-webhook-secret", "The GitHub App's webhook secret (X-Hub-Signature-256)."),
    apiToken: secret("api-token", "Bearer token of stackfork's API and dashboard login."),
    github: settings.githubAppId
      ? secret("github-app-private-key", `The private key (PEM) of GitHub App ${settings.githubAppId}.`)
      : secret("github-token", "A GitHub token stackfork acts with (no stackfork:githubAppId is set)."),
    ...(settings.githubOAuthClientId && {
      githubOAuthClientSecret: secret(
        "github-oauth-client-secret",
        `The client secret of GitHub sign-in client ${settings.githubOAuthClientId}.`,
      ),
    }),
  };
}
