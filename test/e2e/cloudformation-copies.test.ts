import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { APIGatewayClient, GetRestApiCommand } from "@aws-sdk/client-api-gateway";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from "@aws-sdk/client-cloudformation";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipDeterministically } from "../../cloudformation/zip-deterministically.ts";
import {
  type CloudFormationFixtureRepository,
  createCloudFormationFixtureRepository,
} from "../support/cloudformation-fixture-repository.ts";
import { type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { deletePayload, pushPayload } from "../support/webhook-deliveries.ts";

const cfn = new CloudFormationClient({});
const lambda = new LambdaClient({});
const dynamodb = new DynamoDBClient({});
const iam = new IAMClient({});
const apigateway = new APIGatewayClient({});
const s3 = new S3Client({ forcePathStyle: true });

const run = Date.now().toString(36);
const PRODUCTION = `shop-prod-${run}`;
const PRODUCTION_SECRET = "prod-api-key-never-copied";
const OVERRIDE_SECRET = "override-api-key-4f1c9b";

const stackOf = async (name: string) =>
  (await cfn.send(new DescribeStacksCommand({ StackName: name })).catch(() => ({ Stacks: [] }))).Stacks?.[0];
const physicalIds = async (name: string) =>
  Object.fromEntries(
    ((await cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? []).map((r) => [
      r.LogicalResourceId,
      r.PhysicalResourceId,
    ]),
  );

// `stackfork serve` (embedded default, the emulator as its AWS endpoint) with CloudFormation
// repositories: signed pushes -> the platform's inline program -> the CloudFormationCopy dynamic
// resource -> moto's CloudFormation, read back through each service's own API.
describe("CloudFormation copies through stackfork serve", () => {
  let work: string;
  let repo: CloudFormationFixtureRepository;
  let server: EmbeddedServer;
  const others: Record<string, string> = {};
  const logOf = async (id: string) =>
    (
      (await (await fetch(`${server.baseUrl}/api/environments/${id}/logs?limit=1000`)).json()) as {
        lines: { text: string }[];
      }
    ).lines.map((line) => line.text);
  const push = async (repository: string, branch: string, sha: string) => {
    const accepted = await server.deliver("push", pushPayload(repository, branch, sha));
    expect(accepted.status).toBe(202);
    return (accepted.body.queued as { environment: string }[])[0]?.environment as string;
  };
  const settled = (id: string) => server.waitFor(id, (e) => e.status === "ready" || e.status === "failed", 150_000);

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-cfn-"));
    repo = createCloudFormationFixtureRepository(path.join(work, "repo"));
    // "Production": the same template, deployed by hand, whose parameters copies start from.
    await cfn.send(
      new CreateStackCommand({
        StackName: PRODUCTION,
        TemplateBody: readFileSync(path.join(repo.dir, "broken/template.yaml"), "utf8").replace(
          /Resources:[\s\S]*/,
          "Parameters:\n  Stage: { Type: String }\n  Greeting: { Type: String }\n  ApiKey: { Type: String, NoEcho: true }\nResources:\n  Topic: { Type: AWS::SNS::Topic }\n",
        ),
        Parameters: [
          { ParameterKey: "Stage", ParameterValue: "prod" },
          { ParameterKey: "Greeting", ParameterValue: "hello-from-prod" },
          { ParameterKey: "ApiKey", ParameterValue: PRODUCTION_SECRET },
        ],
      }),
    );
    const cloudformation = (template: string, extra: Record<string, unknown> = {}) => ({
      template,
      urlOutput: "ApiUrl",
      ...extra,
    });
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [
        {
          name: "acme/shop",
          localPath: repo.dir,
          cloudformation: cloudformation("plain/template.yaml", {
            productionStack: PRODUCTION,
            parameters: { Stage: "preview", ApiKey: OVERRIDE_SECRET },
            capabilities: ["CAPABILITY_IAM"],
          }),
        },
        {
          name: "acme/nokey",
          localPath: repo.dir,
          cloudformation: cloudformation("plain/template.yaml", { productionStack: PRODUCTION }),
        },
        { name: "acme/sam", localPath: repo.dir, cloudformation: { template: "sam/template.yaml" } },
        { name: "acme/broken", localPath: repo.dir, cloudformation: { template: "broken/template.yaml" } },
        {
          name: "acme/built",
          localPath: repo.dir,
          cloudformation: {
            template: "built/build.mjs",
            urlOutput: "ApiUrl",
            build: { command: ["node", "built/build.mjs"], template: "built/out/template.json" },
          },
        },
        { name: "acme/fixed", localPath: repo.dir, cloudformation: { template: "fixed/template.yaml" } },
      ],
      env: { STACKFORK_SHARE_PLATFORM_CREDENTIALS: "true" },
    });
    // The other repositories' deploys run beside the first test's (the server runs two at once).
    for (const name of ["nokey", "broken", "fixed", "sam", "built"])
      others[name] = await push(
        `acme/${name}`,
        `feature/${name}`,
        repo.commit(`feature/${name}`, { "NOTE.txt": `${name}\n` }),
      );
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("push -> a copy CREATE_COMPLETE with its own resources; a changed handler -> updated in place; branch deleted -> gone", async () => {
    const first = repo.commit("feature/cart", { "NOTE.txt": "first\n" });
    const id = await push("acme/shop", "feature/cart", first);
    const ready = await settled(id);
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");

    const stack = await stackOf(id);
    expect(stack?.StackStatus).toBe("CREATE_COMPLETE");
    const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(ready.url).toBe(outputs.ApiUrl);
    expect(ready.outputs).toMatchObject({ stackName: id, consoleUrl: expect.stringContaining("cloudformation/home") });
    expect(Object.fromEntries((stack?.Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
      "managed-by": "stackfork",
      environment: id,
      repository: "acme/shop",
    });
    // Parameters: production's, the overrides on top.
    const parameters = Object.fromEntries((stack?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(parameters).toMatchObject({ Stage: "preview", Greeting: "hello-from-prod" });

    // Its own table, role, function and REST API, through each service's API.
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: outputs.TableName }));
    expect(table.Table?.TableStatus).toBe("ACTIVE");
    expect(outputs.TableName).toMatch(new RegExp(`^${id}-Table-`));
    const role = await iam.send(new GetRoleCommand({ RoleName: outputs.RoleName }));
    expect(role.Role?.RoleName).toBe(outputs.RoleName);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: outputs.FunctionName }));
    expect(fn.Configuration?.Environment?.Variables).toMatchObject({ TABLE: outputs.TableName, STAGE: "preview" });
    expect(fn.Configuration?.Role).toBe(role.Role?.Arn);
    const restApiId = new URL(outputs.ApiUrl as string).hostname.split(".")[0];
    expect((await apigateway.send(new GetRestApiCommand({ restApiId }))).name).toBe(`${id}-api`);

    // Events streamed into the live log; the NoEcho values in no log or history.
    const log = await logOf(id);
    expect(log).toContain(`cloudformation: creating ${id} (CreateStack; capabilities: CAPABILITY_IAM)`);
    expect(log.some((l) => /cloudformation: \S+ \S+ AWS::CloudFormation::Stack CREATE_COMPLETE/.test(l))).toBe(true);
    expect(log).toContain(
      "cloudformation: parameter ApiKey: from the platform's config (cloudformation.parameters, overrides) (secret: kept masked)",
    );
    const history = JSON.stringify(await server.environment(id));
    for (const text of [log.join("\n"), history]) {
      expect(text).not.toContain(OVERRIDE_SECRET);
      expect(text).not.toContain(PRODUCTION_SECRET);
    }

    // A changed handler: the same function, new code, nothing recreated.
    const before = await physicalIds(id);
    const second = repo.commit("feature/cart", {
      "plain/src/index.js":
        "exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ version: 2 }) });\n",
    });
    await push("acme/shop", "feature/cart", second);
    const updated = await server.waitFor(
      id,
      (e) => e.commitSha === second && (e.status === "ready" || e.status === "failed"),
      150_000,
    );
    expect(updated.status, JSON.stringify(updated.lastError)).toBe("ready");
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: outputs.FunctionName }));
    expect(after.Configuration?.CodeSha256).not.toBe(fn.Configuration?.CodeSha256);
    expect(await physicalIds(id)).toEqual(before);
    expect((await stackOf(id))?.StackStatus).toBe("UPDATE_COMPLETE");
    expect(await logOf(id)).toContain("cloudformation: will modify Function (AWS::Lambda::Function)");

    // Branch deleted: the stack and what the emulator deletes are gone.
    repo.deleteBranch("feature/cart");
    expect((await server.deliver("delete", deletePayload("acme/shop", "feature/cart"))).status).toBe(202);
    const destroyed = await server.waitFor(id, (e) => e.status === "destroyed" || e.status === "failed", 150_000);
    expect(destroyed.status, JSON.stringify(destroyed.lastError)).toBe("destroyed");
    expect(await stackOf(id)).toBeUndefined();
    await expect(dynamodb.send(new DescribeTableCommand({ TableName: outputs.TableName }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: outputs.FunctionName }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  }, 300_000);

  it("a NoEcho parameter of production with no override is refused, naming it", async () => {
    const id = others.nokey as string;
    const failed = await settled(id);
    expect(failed.status).toBe("failed");
    expect(failed.lastError?.code).toBe("PARAMETER_UNAVAILABLE");
    expect(failed.lastError?.message).toContain("ApiKey: NoEcho in the production stack");
    expect(await stackOf(id)).toBeUndefined();
    expect(JSON.stringify(await server.environment(id))).not.toContain(PRODUCTION_SECRET);
  });

  it("a template that fails -> failed with the reason; hard-coded names -> refused before anything is created", async () => {
    const brokenId = others.broken as string;
    const fixedId = others.fixed as string;
    const broken = await settled(brokenId);
    expect(broken.status).toBe("failed");
    expect(broken.lastError?.code).toBe("CLOUDFORMATION_FAILED");
    expect(broken.lastError?.message).toContain("NoSuchBucket");
    expect(await stackOf(brokenId)).toBeUndefined(); // the half-made stack was removed: the next deploy starts clean

    const fixed = await settled(fixedId);
    expect(fixed.status).toBe("failed");
    expect(fixed.lastError?.code).toBe("FIXED_NAMES");
    expect(fixed.lastError?.message).toContain(
      'Orders (AWS::DynamoDB::Table) sets TableName: write !Sub "${AWS::StackName}-orders"',
    );
    expect(fixed.lastError?.message).toContain("Jobs (AWS::SQS::Queue) sets QueueName");
    expect(await stackOf(fixedId)).toBeUndefined();
  });

  it("a SAM app: CAPABILITY_AUTO_EXPAND asked, CodeUri rewritten to the uploaded zip, whose bytes are the folder's deterministic zip", async () => {
    const id = others.sam as string;
    const ready = await settled(id);
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");
    expect(await logOf(id)).toContain(
      `cloudformation: creating ${id} (CreateStack; capabilities: CAPABILITY_AUTO_EXPAND)`,
    );
    const template = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: id }))).TemplateBody ?? "{}") as {
      Resources: { Hello: { Properties: { CodeUri: string } } };
    };
    const codeUri = template.Resources.Hello.Properties.CodeUri;
    const match = /^s3:\/\/([^/]+)\/(artifacts\/acme-sam\/[^/]+\/[0-9a-f]{64}\.zip)$/.exec(codeUri);
    expect(match, codeUri).not.toBeNull();
    const object = await s3.send(new GetObjectCommand({ Bucket: match?.[1], Key: match?.[2] }));
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    expect(bytes).toEqual(Buffer.from(zipDeterministically(path.join(repo.dir, "sam/src"), repo.dir)));
  });

  it("a build step (as cdk synth is one) runs in the job's sandbox and its template deploys", async () => {
    const id = others.built as string;
    const ready = await settled(id);
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");
    expect(ready.url).toMatch(/^https:\/\/.+\.built\.example\/$/);
    expect((await stackOf(id))?.StackStatus).toBe("CREATE_COMPLETE");
    const log = await logOf(id);
    expect(log).toContain("build: node built/build.mjs");
    expect(log).toContain("build: build saw STACKFORK_API_TOKEN=(none)");
    // The checkout itself stays as committed: the build wrote into the job's own copy.
    expect(() => readFileSync(path.join(repo.dir, "built/out/template.json"))).toThrow();
  });
});
