import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsStackforkEnv } from "../support/aws-stackfork-env.ts";
import {
  type CloudFormationFixtureRepository,
  createCloudFormationFixtureRepository,
} from "../support/cloudformation-fixture-repository.ts";
import { type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { deletePayload, pushPayload } from "../support/webhook-deliveries.ts";

const cfn = new CloudFormationClient({});
const stackOf = async (name: string) =>
  (await cfn.send(new DescribeStacksCommand({ StackName: name })).catch(() => ({ Stacks: [] }))).Stacks?.[0];

// The same CloudFormation copy through `stackfork serve` on the AWS adapters (DynamoDB registry,
// SQS FIFO queue, s3:// state, awskms:// secrets), the job on the bootstrap's deployer role: the
// code is packaged into the state bucket, under the environment's own prefix.
describe("a CloudFormation copy on the AWS adapters", () => {
  let work: string;
  let repo: CloudFormationFixtureRepository;
  let server: EmbeddedServer;
  let aws: Awaited<ReturnType<typeof createAwsStackforkEnv>>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-cfn-aws-"));
    repo = createCloudFormationFixtureRepository(path.join(work, "repo"));
    aws = await createAwsStackforkEnv("cfn-aws");
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [
        {
          name: "acme/shop",
          localPath: repo.dir,
          target: "aws",
          cloudformation: {
            template: "plain/template.yaml",
            urlOutput: "ApiUrl",
            parameters: { ApiKey: "aws-store-key-7d2e" },
            capabilities: ["CAPABILITY_IAM"],
          },
        },
      ],
      env: aws.env,
    });
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    aws?.clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("push -> CREATE_COMPLETE with its code in the state bucket; branch deleted -> gone", async () => {
    const sha = repo.commit("feature/aws", { "NOTE.txt": "aws\n" });
    const accepted = await server.deliver("push", pushPayload("acme/shop", "feature/aws", sha));
    expect(accepted.status).toBe(202);
    const id = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    const ready = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed", 150_000);
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");
    expect((await stackOf(id))?.StackStatus).toBe("CREATE_COMPLETE");
    const template = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: id }))).TemplateBody ?? "{}") as {
      Resources: { Function: { Properties: { Code: { S3Bucket: string; S3Key: string } } } };
    };
    expect(template.Resources.Function.Properties.Code).toEqual({
      S3Bucket: aws.bucket,
      S3Key: expect.stringMatching(new RegExp(`^artifacts/acme-shop/${id}/[0-9a-f]{64}\\.zip$`)),
    });

    expect((await server.deliver("delete", deletePayload("acme/shop", "feature/aws"))).status).toBe(202);
    const destroyed = await server.waitFor(id, (e) => e.status === "destroyed" || e.status === "failed", 150_000);
    expect(destroyed.status, JSON.stringify(destroyed.lastError)).toBe("destroyed");
    expect(await stackOf(id)).toBeUndefined();
  }, 300_000);
});
