import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { awsClientConfig } from "./aws-client-config.ts";
import { translateAwsError } from "./translate-aws-error.ts";

/** The account stackfork's own credentials belong to (the bootstrap's deployer role is in it). */
export async function readCallerAccount(): Promise<string> {
  try {
    const identity = await new STSClient(awsClientConfig()).send(new GetCallerIdentityCommand({}));
    return identity.Account as string;
  } catch (err) {
    throw translateAwsError(err, "sts:GetCallerIdentity");
  }
}

/**
 * stackfork's own credentials, resolved by the SDK's standard chain: only for the operator's
 * explicit opt-out (STACKFORK_SHARE_PLATFORM_CREDENTIALS), never by default.
 */
export async function readPlatformCredentials() {
  const resolved = await new STSClient(awsClientConfig()).config.credentials();
  return {
    accessKeyId: resolved.accessKeyId,
    secretAccessKey: resolved.secretAccessKey,
    sessionToken: resolved.sessionToken,
  };
}
