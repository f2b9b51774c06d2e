import * as pulumi from "@pulumi/pulumi";
import { createAwsService } from "./aws/create-aws-service.ts";
import { createLocalService } from "./local/create-local-service.ts";
import { readServiceConfig } from "./read-service-config.ts";

/**
 * The service stack (an inline program: the platform runs it through the Automation API). Config
 * namespace `stackfork`; `target` picks AWS or a copy on this machine. Outputs: `url`, the copy's
 * base URL without a trailing slash; `target`; `environment`; `tableName`, its items table.
 */
export default async function program() {
  const config = readServiceConfig(new pulumi.Config("stackfork"));
  if (config.target === "aws") {
    const service = createAwsService(config);
    return { url: service.url, target: config.target, environment: config.environment, tableName: service.table.name };
  }
  const service = createLocalService(config);
  return { url: service.url, target: config.target, environment: config.environment, tableName: service.tableName };
}
