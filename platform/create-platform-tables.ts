import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AwsResources, TableDefinition } from "../aws/aws-resources.ts";

/** From aws-resources.ts, as `stackfork aws bootstrap` creates them: on demand, point-in-time recovery, TTL. */
export function createPlatformTables(
  parent: pulumi.ComponentResource,
  deps: { name: string; resources: AwsResources },
): { registry: aws.dynamodb.Table; jobs: aws.dynamodb.Table } {
  const { name, resources } = deps;
  const table = (logicalName: string, definition: TableDefinition) =>
    new aws.dynamodb.Table(
      `${name}-${logicalName}`,
      {
        name: definition.name,
        billingMode: "PAY_PER_REQUEST", // nothing billed but storage while idle
        hashKey: definition.hashKey,
        rangeKey: definition.rangeKey,
        attributes: definition.attributes,
        globalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
          name: index.name,
          hashKey: index.hashKey,
          rangeKey: index.rangeKey,
          projectionType: index.projectionType,
        })),
        pointInTimeRecovery: { enabled: true },
        ...(definition.ttlAttribute && { ttl: { attributeName: definition.ttlAttribute, enabled: true } }),
      },
      { parent },
    );
  return {
    registry: table("registry", resources.registryTable),
    jobs: table("jobs", resources.jobsTable),
  };
}
