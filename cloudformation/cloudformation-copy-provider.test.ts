import { readFileSync, rmSync } from "node:fs";
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createArtifactStore } from "./artifact-store.ts";
import type { CloudFormationCopyInputs, CloudFormationCopyOutputs } from "./cloudformation-copy-inputs.ts";
import { cloudFormationCopyProvider as provider } from "./cloudformation-copy-provider.ts";
import { placeTemplate, TEMPLATE_BODY_LIMIT } from "./package-template.ts";
import { readProviderError } from "./provider-error.ts";
import { EVENT_LOG_VARIABLE, tailEventLog } from "./tail-event-log.ts";

const cfn = new CloudFormationClient({});
const s3 = new S3Client({ forcePathStyle: true });
const run = Date.now().toString(36);
const bucket = `cfn-provider-${run}`;
const store = createArtifactStore(s3, { bucket, prefix: "env/", region: "us-east-1" });
const table = {
  Type: "AWS::DynamoDB::Table",
  Properties: {
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  },
};
const inputsOf = (stackName: string, template: object, placed?: object): CloudFormationCopyInputs => ({
  providerModule: "",
  stackName,
  ...(placed ?? { templateBody: JSON.stringify(template) }),
  templateHash: "h",
  parameters: {},
  capabilities: [],
  tags: { "managed-by": "stackfork", environment: stackName, repository: "acme/x" },
});
const statusOf = async (stackName: string) =>
  (await cfn.send(new DescribeStacksCommand({ StackName: stackName })).catch(() => ({ Stacks: [] }))).Stacks?.[0]
    ?.StackStatus;

let lines: string[] = [];
let tail: ReturnType<typeof tailEventLog>;
beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
const startLog = () => {
  lines = [];
  tail = tailEventLog(process.env, (line) => lines.push(line));
};
afterEach(() => tail?.stop());

describe("the CloudFormationCopy provider, on the emulator", () => {
  it("creates, leaves an unchanged stack alone, and deletes it, logging each step", async () => {
    const name = `provider-${run}`;
    const template = { Resources: { Table: table }, Outputs: { Name: { Value: { Ref: "Table" } } } };
    startLog();
    const created = { outs: (await provider.create(inputsOf(name, template))).outs as CloudFormationCopyOutputs };
    expect(created.outs.outputs.Name).toMatch(new RegExp(`^${name}-Table-`));
    expect(created.outs.consoleUrl).toContain("us-east-1.console.aws.amazon.com/cloudformation");
    expect(await statusOf(name)).toBe("CREATE_COMPLETE");
    const updated = await provider.update(name, created.outs, inputsOf(name, template));
    expect(updated.outs?.outputs).toEqual(created.outs.outputs);
    await provider.delete(name, created.outs);
    expect(await statusOf(name)).toBeUndefined();
    await provider.delete(name, created.outs); // gone already: nothing to do
    tail.stop();
    expect(lines).toContain(`cloudformation: ${name}: no updates are to be performed`);
    expect(lines.some((l) => l.endsWith(`${name} AWS::CloudFormation::Stack CREATE_COMPLETE`))).toBe(true);
    expect(lines).toContain(`cloudformation: ${name} deleted`);
  });

  it("deploys a template over the body limit by TemplateURL", async () => {
    const name = `provider-big-${run}`;
    const template = { Metadata: { Padding: "x".repeat(TEMPLATE_BODY_LIMIT) }, Resources: { Table: table } };
    const placed = await placeTemplate(JSON.stringify(template), store);
    expect(placed).toEqual({
      templateUrl: expect.stringMatching(
        new RegExp(`^https://${bucket}\\.s3\\.us-east-1\\.amazonaws\\.com/env/[0-9a-f]{64}\\.template\\.json$`),
      ),
    });
    startLog();
    const created = {
      outs: (await provider.create(inputsOf(name, template, placed))).outs as CloudFormationCopyOutputs,
    };
    expect(await statusOf(name)).toBe("CREATE_COMPLETE");
    const body = (await cfn.send(new GetTemplateCommand({ StackName: name }))).TemplateBody ?? "";
    expect(body.length).toBeGreaterThan(TEMPLATE_BODY_LIMIT);
    await provider.delete(name, created.outs);
    expect(await placeTemplate(JSON.stringify({ Resources: { Table: table } }), store)).toHaveProperty("templateBody");
  });

  it("refuses a stack CloudFormation cannot create with CLOUDFORMATION_FAILED and the reason, leaving nothing", async () => {
    const name = `provider-broken-${run}`;
    const template = {
      Resources: {
        Fn: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Runtime: "nodejs20.x",
            Handler: "i.h",
            Role: "arn:aws:iam::123456789012:role/x",
            Code: { S3Bucket: bucket, S3Key: "missing.zip" },
          },
        },
      },
    };
    startLog();
    const failure = await provider.create(inputsOf(name, template)).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(readProviderError(`error: ${failure?.message}\n`)).toEqual({
      code: "CLOUDFORMATION_FAILED",
      message: expect.stringContaining("The role defined for the function cannot be assumed by Lambda"),
    });
    expect(await statusOf(name)).toBeUndefined();
  });
});

describe("readProviderError", () => {
  it("reads a platform provider's code from the engine's output, and only the known ones", () => {
    const output = `Updating (x):\n  error: stackfork-error[CLOUDFORMATION_DELETE_FAILED] s is DELETE_FAILED; resources left:\nBucket (AWS::S3::Bucket, b): not empty\nResources:\n  1 unchanged\n`;
    expect(readProviderError(output)).toEqual({
      code: "CLOUDFORMATION_DELETE_FAILED",
      message: "s is DELETE_FAILED; resources left:\nBucket (AWS::S3::Bucket, b): not empty",
    });
    expect(readProviderError("error: stackfork-error[INTERNAL] no")).toBeUndefined();
    expect(readProviderError("error: something else")).toBeUndefined();
  });
});

describe("tailEventLog", () => {
  it("hands each whole line over, the last one at stop, and removes its file", () => {
    const env: NodeJS.ProcessEnv = {};
    const seen: string[] = [];
    const t = tailEventLog(env, (line) => seen.push(line));
    const file = env[EVENT_LOG_VARIABLE] as string;
    rmSync(file);
    expect(() => readFileSync(file)).toThrow();
    t.stop();
    expect(env[EVENT_LOG_VARIABLE]).toBeUndefined();
  });
});
