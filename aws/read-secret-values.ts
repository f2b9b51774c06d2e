import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { StackforkError } from "../core/errors.ts";
import { translateAwsError } from "./translate-aws-error.ts";

/**
 * The values of Secrets Manager secrets by ARN, read in parallel (once per cold start). A secret the
 * platform created empty and nobody filled yet is a configuration error naming its ARN.
 */
export async function readSecretValues<K extends string>(
  client: SecretsManagerClient,
  arns: Partial<Record<K, string | undefined>>,
): Promise<Partial<Record<K, string>>> {
  const entries = Object.entries(arns).filter((entry): entry is [K, string] => typeof entry[1] === "string");
  const values = await Promise.all(
    entries.map(async ([name, arn]) => {
      try {
        const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
        if (!SecretString) throw new StackforkError("CONFIG_INVALID", `secret ${arn} (${name}) is empty: fill it`);
        return [name, SecretString.trim()] as const;
      } catch (err) {
        if ((err as { name?: string }).name === "ResourceNotFoundException") {
          // Also what Secrets Manager answers for a secret with no value yet.
          throw new StackforkError("CONFIG_INVALID", `secret ${arn} (${name}) has no value yet: fill it`, {
            cause: err,
          });
        }
        throw translateAwsError(err, `GetSecretValue ${arn}`);
      }
    }),
  );
  return Object.fromEntries(values) as Partial<Record<K, string>>;
}
