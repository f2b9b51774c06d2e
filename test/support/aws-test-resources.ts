import { randomBytes } from "node:crypto";
import { defineAwsResources } from "../../aws/aws-resources.ts";
import { bootstrapAwsResources } from "../../aws/bootstrap-aws-resources.ts";
import { type AwsClientOptions, createAwsClients } from "../../aws/create-aws-clients.ts";

/** A prefix no other test (or earlier run against the same emulator) uses: `t-<label>-<8 hex>`. */
export function uniqueAwsPrefix(label: string): string {
  return `t-${label.replace(/[^a-zA-Z0-9-]/g, "-").slice(0, 20)}-${randomBytes(4).toString("hex")}`;
}

/**
 * Fresh tables and queues on the run's emulator (test/support/aws-emulator-setup.ts), created by the
 * same bootstrap `stackfork aws bootstrap` runs. Close the clients with `clients.destroy()`.
 */
export async function createAwsTestResources(label: string, options: AwsClientOptions = {}) {
  const prefix = uniqueAwsPrefix(label);
  const resources = defineAwsResources(prefix);
  const setupClients = createAwsClients();
  await bootstrapAwsResources({ clients: setupClients, resources });
  setupClients.destroy();
  return { prefix, resources, clients: createAwsClients(options) };
}
