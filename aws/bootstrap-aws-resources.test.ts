import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import {
  CreatePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
} from "@aws-sdk/client-iam";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { uniqueAwsPrefix } from "../test/support/aws-test-resources.ts";
import { defineAwsResources } from "./aws-resources.ts";
import { bootstrapAwsResources } from "./bootstrap-aws-resources.ts";
import { createAwsClients } from "./create-aws-clients.ts";
import { copyBoundaryArnOf, DEPLOYER_POLICY_NAME, deployerRoleArnOf } from "./deployer-names.ts";

/** IAM hands documents back URL-encoded. */
const parseDocument = (text: string | undefined) => JSON.parse(decodeURIComponent(text ?? ""));

describe("bootstrapAwsResources", () => {
  it("creates the tables, the FIFO queue with its dead-letter queue, the bucket, the key and the deployer role, then finds them all", async () => {
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
      `Pulumi state layout s3://${prefix}-state/`,
      `KMS key alias/${prefix}`,
      `IAM policy ${prefix}-copy-boundary`,
      `IAM policy ${prefix}-deployer-cloudformation`,
      `IAM role ${prefix}-deployer`,
    ]);
    const second = await bootstrapAwsResources(options);
    expect(second).toMatchObject({ created: [], existing: first.created });

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
    // The deployer may read the layout file but not write it: it is there before any stack.
    const meta = await clients.s3.send(new GetObjectCommand({ Bucket: `${prefix}-state`, Key: ".pulumi/meta.yaml" }));
    expect(await meta.Body?.transformToString()).toBe("version: 1\n");
    clients.destroy();
  });

  it("gives the deployer role the definition's trust and policy, and the boundary's document, by the ARNs serve defaults to", async () => {
    const prefix = uniqueAwsPrefix("deployer");
    const clients = createAwsClients();
    const { deployer } = await bootstrapAwsResources({
      clients,
      resources: defineAwsResources(prefix),
      stateUrl: `s3://${prefix}-state/stacks?region=us-east-1`,
      secretsProvider: `awskms://alias/${prefix}?region=us-east-1`,
    });
    const { Account } = await clients.sts.send(new GetCallerIdentityCommand({}));
    expect(deployer.roleArn).toBe(deployerRoleArnOf(Account ?? "", prefix));
    expect(deployer.boundaryArn).toBe(copyBoundaryArnOf(Account ?? "", prefix));

    const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: `${prefix}-deployer` }));
    expect(Role?.Arn).toBe(deployer.roleArn);
    expect(parseDocument(Role?.AssumeRolePolicyDocument)).toEqual(deployer.trust);
    expect(deployer.trust.Statement[0]?.Principal).toEqual({ AWS: [`arn:aws:iam::${Account}:root`] });
    const inline = await clients.iam.send(
      new GetRolePolicyCommand({ RoleName: `${prefix}-deployer`, PolicyName: DEPLOYER_POLICY_NAME }),
    );
    expect(parseDocument(inline.PolicyDocument)).toEqual(deployer.policy);
    // The policy names this setup's bucket (under the URL's key prefix) and key.
    const text = JSON.stringify(deployer.policy);
    expect(text).toContain(`arn:aws:s3:::${prefix}-state/stacks/.pulumi/stacks/`);
    expect(text).toMatch(/arn:aws:kms:us-east-1:\d{12}:key\//);
    expect(await defaultVersionOf(clients, deployer.boundaryArn)).toEqual(deployer.boundary);
    clients.destroy();
  });

  it("creates the deployer's CloudFormation policy from the definition and attaches it to the role, once", async () => {
    const prefix = uniqueAwsPrefix("cfnpolicy");
    const clients = createAwsClients();
    const options = { clients, resources: defineAwsResources(prefix) };
    const { deployer } = await bootstrapAwsResources(options);
    const { Account } = await clients.sts.send(new GetCallerIdentityCommand({}));
    expect(deployer.cloudFormationPolicyArn).toBe(`arn:aws:iam::${Account}:policy/${prefix}-deployer-cloudformation`);
    expect(await defaultVersionOf(clients, deployer.cloudFormationPolicyArn)).toEqual(deployer.cloudFormationPolicy);
    // No state bucket here: the artifacts go to the bucket stackfork creates for them.
    expect(JSON.stringify(deployer.cloudFormationPolicy)).toContain(`arn:aws:s3:::${prefix}-artifacts-${Account}/`);
    const attached = async () =>
      (
        await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `${prefix}-deployer` }))
      ).AttachedPolicies?.map((p) => p.PolicyArn);
    expect(await attached()).toEqual([deployer.cloudFormationPolicyArn]);

    const again = await bootstrapAwsResources(options);
    expect(again.created).toEqual([]);
    expect(again.existing).toContain(`IAM policy ${prefix}-deployer-cloudformation`);
    expect(await attached()).toEqual([deployer.cloudFormationPolicyArn]);
    // Its document unchanged: no second version.
    const { Versions } = await clients.iam.send(
      new ListPolicyVersionsCommand({ PolicyArn: deployer.cloudFormationPolicyArn }),
    );
    expect(Versions?.map((v) => v.VersionId)).toEqual(["v1"]);
    clients.destroy();
  });

  it("brings a boundary changed by hand back to its definition", async () => {
    const prefix = uniqueAwsPrefix("boundary");
    const clients = createAwsClients();
    const options = { clients, resources: defineAwsResources(prefix) };
    const { deployer } = await bootstrapAwsResources(options);
    const wider = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }] };
    for (let i = 0; i < 4; i++) {
      await clients.iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: deployer.boundaryArn,
          PolicyDocument: JSON.stringify({ ...wider, Id: `v${i}` }),
          SetAsDefault: true,
        }),
      );
    }
    // Five versions now: IAM's limit, so the next one needs room.
    const again = await bootstrapAwsResources(options);
    expect(again.existing).toContain(`IAM policy ${prefix}-copy-boundary`);
    expect(await defaultVersionOf(clients, deployer.boundaryArn)).toEqual(deployer.boundary);
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

async function defaultVersionOf(clients: ReturnType<typeof createAwsClients>, PolicyArn: string) {
  const { Policy } = await clients.iam.send(new GetPolicyCommand({ PolicyArn }));
  const { PolicyVersion } = await clients.iam.send(
    new GetPolicyVersionCommand({ PolicyArn, VersionId: Policy?.DefaultVersionId }),
  );
  return parseDocument(PolicyVersion?.Document);
}
