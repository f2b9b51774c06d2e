import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { uniqueAwsPrefix } from "../test/support/aws-test-resources.ts";
import { defineAwsResources } from "./aws-resources.ts";
import { bootstrapAwsResources } from "./bootstrap-aws-resources.ts";
import { createAwsClients } from "./create-aws-clients.ts";

describe("bootstrapAwsResources", () => {
  it("creates the tables, the FIFO queue with its dead-letter queue, the bucket and the key, then finds them all", async () => {
    const prefix = uniqueAwsPrefix("bootstrap");
    const resources = defineAwsResources(prefix);
    const clients = createAwsClients();
    const options = {
      clients,
      resources,
      stateUrl: `s3://${prefix}-state?region=us-east-1`,
      secretsProvider: `awskms://alias/${prefix}?region=us-east-1`,
    };
    const first = await bootstrapAwsResources(options);
    expect(first.existing).toEqual([]);
    expect(first.created).toEqual([
      `DynamoDB table ${prefix}-registry`,
      `DynamoDB table ${prefix}-jobs`,
      `SQS FIFO queue ${prefix}-wake-dlq.fifo`,
      `SQS FIFO queue ${prefix}-wake.fifo`,
      `S3 bucket ${prefix}-state`,
      `KMS key alias/${prefix}`,
    ]);
    const second = await bootstrapAwsResources(options);
    expect(second).toEqual({ created: [], existing: first.created });

    for (const table of [resources.registryTable, resources.jobsTable]) {
      const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
      expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
        table.globalSecondaryIndexes.map((i) => i.name).sort(),
      );
      const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: "ttl", TimeToLiveStatus: "ENABLED" });
    }
    const queues = await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    expect(queues.QueueUrls).toHaveLength(2);
    clients.destroy();
  });

  it("names the endpoint when nothing answers there", async () => {
    const clients = createAwsClients({ endpoint: "http://127.0.0.1:9", maxAttempts: 1 });
    const error = await bootstrapAwsResources({ clients, resources: defineAwsResources("nowhere") }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "AWS_UNAVAILABLE" });
    clients.destroy();
  });
});
