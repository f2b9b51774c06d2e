import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import pino from "pino";
import { type Assembled, assembleStackfork } from "../app/assemble-stackfork.ts";
import { awsClientConfig } from "../aws/aws-client-config.ts";
import { readSecretValues } from "../aws/read-secret-values.ts";
import { loadConfig, type StackforkConfig } from "../core/config.ts";
import { StackforkError } from "../core/errors.ts";

/**
 * A Lambda container's stackfork, built once per cold start from the function's environment
 * (DESIGN.md, "External contract"): STACKFORK_STORE must be `aws` (a container's disk is gone with
 * it), the data dir defaults to /tmp/stackfork (the only writable place), secrets come from Secrets
 * Manager by ARN, else from their plain variables. Nothing is generated: every container must
 * agree on the same secrets.
 */
export async function createLambdaRuntime(env: NodeJS.ProcessEnv): Promise<Assembled> {
  const config = loadLambdaConfig(env);
  const log = pino({ level: config.logLevel });
  const secretsManager = new SecretsManagerClient(awsClientConfig());
  const fromSecretsManager = await readSecretValues(secretsManager, config.secretArns);
  secretsManager.destroy();
  const github = withGitHubSecrets(config, fromSecretsManager);
  const signIn = config.signIn && {
    ...config.signIn,
    clientSecret: fromSecretsManager.githubOAuthClientSecret ?? config.signIn.clientSecret,
  };
  return assembleStackfork({
    config: { ...config, github, signIn },
    log,
    secrets: {
      webhookSecret: fromSecretsManager.webhookSecret ?? config.secrets.webhookSecret,
      apiToken: fromSecretsManager.apiToken ?? config.secrets.apiToken,
      pulumiPassphrase: config.secrets.pulumiPassphrase,
    },
  });
}

export function loadLambdaConfig(env: NodeJS.ProcessEnv): StackforkConfig {
  const config = loadConfig({
    env: { STACKFORK_DATA_DIR: "/tmp/stackfork", ...env },
    cwd: env.LAMBDA_TASK_ROOT ?? process.cwd(),
    readFile: () => undefined,
  });
  if (config.store !== "aws") {
    throw new StackforkError("CONFIG_INVALID", "a Lambda function needs STACKFORK_STORE=aws: its disk is gone with it");
  }
  return config;
}

/** A token or App key read from Secrets Manager wins over the plain variables, as the ARN was given for it. */
function withGitHubSecrets(
  config: StackforkConfig,
  secrets: { githubToken?: string; githubAppPrivateKey?: string },
): StackforkConfig["github"] {
  const apiUrl = config.github?.apiUrl;
  const appId = config.githubAppId;
  if (secrets.githubAppPrivateKey) {
    if (!appId) throw new StackforkError("CONFIG_INVALID", "GITHUB_APP_PRIVATE_KEY_ARN needs GITHUB_APP_ID");
    return { auth: { appId, privateKey: secrets.githubAppPrivateKey.replace(/\\n/g, "\n") }, apiUrl };
  }
  if (secrets.githubToken) return { auth: { token: secrets.githubToken }, apiUrl };
  return config.github;
}
