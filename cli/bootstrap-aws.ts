import { defineAwsResources } from "../aws/aws-resources.ts";
import { bootstrapAwsResources } from "../aws/bootstrap-aws-resources.ts";
import { createAwsClients } from "../aws/create-aws-clients.ts";
import type { StackforkConfig } from "../core/config.ts";

/**
 * `stackfork aws bootstrap`: the tables and queues of STACKFORK_AWS_PREFIX, and the bucket and key
 * the state and secrets URLs name, created where missing. Prints each resource as it is looked at.
 */
export async function bootstrapAws(config: StackforkConfig): Promise<number> {
  const clients = createAwsClients();
  const region = await clients.dynamodb.config.region().catch(() => undefined);
  const endpoint = config.awsEndpoint ?? `AWS (${region ?? "no AWS_REGION"})`;
  console.error(`stackfork aws bootstrap: prefix ${config.awsPrefix}, endpoint ${endpoint}`);
  try {
    const report = await bootstrapAwsResources({
      clients,
      resources: defineAwsResources(config.awsPrefix),
      stateUrl: config.stateUrl,
      secretsProvider: config.secretsProvider,
      onProgress: (line) => console.log(line),
    });
    console.error(`${report.created.length} created, ${report.existing.length} already there`);
    return 0;
  } finally {
    clients.destroy();
  }
}
