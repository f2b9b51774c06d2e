import { defineAwsResources } from "../../aws/aws-resources.ts";
import { bootstrapAwsResources } from "../../aws/bootstrap-aws-resources.ts";
import { createAwsClients } from "../../aws/create-aws-clients.ts";
import { uniqueAwsPrefix } from "./aws-test-resources.ts";

/**
 * Everything stackfork needs to run on the AWS adapters against the run's emulator, created by the
 * same bootstrap `stackfork aws bootstrap` runs: tables, FIFO queue + DLQ, state bucket, KMS alias.
 * Returns the environment variables of the contract, and the resources to look at afterwards.
 */
export async function createAwsStackforkEnv(label: string) {
  const endpoint = process.env.AWS_ENDPOINT_URL as string;
  const prefix = uniqueAwsPrefix(label);
  const resources = defineAwsResources(prefix);
  const bucket = `${prefix}-state`.toLowerCase();
  const query = `region=us-east-1&endpoint=${encodeURIComponent(endpoint)}`;
  const env = {
    STACKFORK_STORE: "aws",
    STACKFORK_AWS_PREFIX: prefix,
    STACKFORK_STATE_URL: `s3://${bucket}?${query}&s3ForcePathStyle=true`,
    STACKFORK_SECRETS_PROVIDER: `awskms://alias/${prefix}?${query}`,
  };
  const clients = createAwsClients();
  await bootstrapAwsResources({
    clients,
    resources,
    stateUrl: env.STACKFORK_STATE_URL,
    secretsProvider: env.STACKFORK_SECRETS_PROVIDER,
  });
  return { prefix, resources, bucket, env, clients };
}
