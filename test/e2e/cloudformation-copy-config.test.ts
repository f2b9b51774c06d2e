import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CloudFormationFixtureRepository,
  createCloudFormationFixtureRepository,
} from "../support/cloudformation-fixture-repository.ts";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer, WEBHOOK_SECRET } from "../support/embedded-server.ts";
import { runCli } from "../support/run-cli.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { pushPayload } from "../support/webhook-deliveries.ts";

const cfn = new CloudFormationClient({});
const dynamodb = new DynamoDBClient({});

const run = Date.now().toString(36);
const PRODUCTION = `cfg-prod-${run}`;
const PRODUCTION_SECRET = "prod-api-key-not-for-copies";
const OVERRIDE_SECRET = "preview-api-key-3e81d0";

/** The branch's template: parameters only, a table whose name the seed step reads from the outputs. */
const template = (webhookDefault: boolean) =>
  [
    'AWSTemplateFormatVersion: "2010-09-09"',
    "Parameters:",
    "  Stage: { Type: String }",
    "  Greeting: { Type: String }",
    "  LogLevel: { Type: String }",
    "  Region: { Type: String }",
    `  Webhook: { Type: String${webhookDefault ? ", Default: https://alerts.invalid/preview" : ""} }`,
    "  ApiKey: { Type: String, NoEcho: true }",
    "Resources:",
    "  Table:",
    "    Type: AWS::DynamoDB::Table",
    "    Properties:",
    "      BillingMode: PAY_PER_REQUEST",
    "      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]",
    "      KeySchema: [{ AttributeName: id, KeyType: HASH }]",
    "Outputs:",
    "  TableName: { Value: !Ref Table }",
    "",
  ].join("\n");
const branchFiles = (webhookDefault = true) => ({
  "config/template.yaml": template(webhookDefault),
  "config/seed.mjs":
    'const env = process.env;\nconsole.log("seed saw table " + env.STACKFORK_OUTPUT_TABLE_NAME + " of " + env.STACKFORK_ENVIRONMENT);\n',
  "config/items.ndjson": '{"id":"a","n":1}\n{"id":"b","n":2}\n{"id":"c","n":3}\n',
  ".stackfork/config.json": JSON.stringify({ config: { Region: "ap-south-1", LogLevel: "trace" } }),
});

const parametersOf = async (stackName: string) =>
  Object.fromEntries(
    ((await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.Parameters ?? []).map((p) => [
      p.ParameterKey,
      p.ParameterValue,
    ]),
  );

// A CloudFormation copy's parameters as a copy's config (issue 19, item 5), through `stackfork serve`
// on the emulator: production's parameters (DescribeStacks) < the platform's config
// (cloudformation.parameters, overrides) < the branch's .stackfork/config.json < the environment's
// values; never-copied and NoEcho parameters; the seed step after the first deploy.
describe("a CloudFormation copy's config", () => {
  let work: string;
  let repo: CloudFormationFixtureRepository;
  let server: EmbeddedServer;
  let cliEnv: Record<string, string>;
  const logOf = async (id: string) =>
    (
      (await (await fetch(`${server.baseUrl}/api/environments/${id}/logs?limit=1000`)).json()) as {
        lines: { text: string }[];
      }
    ).lines.map((line) => line.text);
  const configOf = async (id: string) =>
    (
      (await (await fetch(`${server.baseUrl}/api/environments/${id}`)).json()) as {
        config: { key: string; value: string; secret: boolean; source: string }[];
      }
    ).config;
  const push = async (repository: string, branch: string, sha: string) => {
    const accepted = await server.deliver("push", pushPayload(repository, branch, sha));
    expect(accepted.status).toBe(202);
    return (accepted.body.queued as { environment: string }[])[0]?.environment as string;
  };
  const settled = (id: string) => server.waitFor(id, (e) => e.status === "ready" || e.status === "failed", 150_000);
  const cloudformation = {
    template: "config/template.yaml",
    productionStack: PRODUCTION,
    parameters: { Stage: "preview", ApiKey: OVERRIDE_SECRET },
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-cfn-config-"));
    repo = createCloudFormationFixtureRepository(path.join(work, "repo"));
    await cfn.send(
      new CreateStackCommand({
        StackName: PRODUCTION,
        TemplateBody: template(false).replace(/Resources:[\s\S]*/, "Resources:\n  Topic: { Type: AWS::SNS::Topic }\n"),
        Parameters: [
          { ParameterKey: "Stage", ParameterValue: "prod" },
          { ParameterKey: "Greeting", ParameterValue: "hello-from-prod" },
          { ParameterKey: "LogLevel", ParameterValue: "warn" },
          { ParameterKey: "Region", ParameterValue: "eu-west-1" },
          { ParameterKey: "Webhook", ParameterValue: "https://alerts.example/prod" },
          { ParameterKey: "ApiKey", ParameterValue: PRODUCTION_SECRET },
        ],
      }),
    );
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [
        {
          name: "acme/shop",
          localPath: repo.dir,
          cloudformation,
          overrides: [
            {
              branch: "feature/*",
              config: { LogLevel: "debug", Region: "us-east-1", Greeting: "hello-from-platform" },
            },
            { branch: "release/*", config: { Greeting: "never-this" } },
          ],
          neverCopy: ["Webhook"],
          seed: { command: ["node", "config/seed.mjs"] },
        },
        {
          name: "acme/items",
          localPath: repo.dir,
          cloudformation,
          seed: { items: "config/items.ndjson", tableOutput: "TableName" },
        },
      ],
      env: { STACKFORK_SHARE_PLATFORM_CREDENTIALS: "true" },
    });
    cliEnv = {
      STACKFORK_URL: server.baseUrl,
      STACKFORK_API_TOKEN: API_TOKEN,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STACKFORK_CONFIG: path.join(work, "data.config.json"),
      // The config names CloudFormation repositories: the CLI checks it against the emulator too.
      AWS_ENDPOINT_URL: String(process.env.AWS_ENDPOINT_URL),
    };
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("production < platform < branch file < environment, with sources in the API and on the page; NoEcho and --secret masked; seeded once; config set redeploys with the new value", async () => {
    const items = await push("acme/items", "feature/items", repo.commit("feature/items", branchFiles()));
    const id = await push("acme/shop", "feature/config", repo.commit("feature/config", branchFiles()));
    const ready = await settled(id);
    expect(ready.status, JSON.stringify(ready.lastError)).toBe("ready");

    // What the copy's stack was given, read back from CloudFormation.
    expect(await parametersOf(id)).toMatchObject({
      Stage: "preview", // platform: cloudformation.parameters
      Greeting: "hello-from-platform", // platform: overrides, feature/*
      LogLevel: "trace", // repository: the branch's .stackfork/config.json
      Region: "ap-south-1", // repository, over the platform's us-east-1
      Webhook: "https://alerts.invalid/preview", // never copied: the template's Default
    });
    expect(await configOf(id)).toEqual([
      { key: "ApiKey", value: "[secret]", secret: true, source: "platform" },
      { key: "Greeting", value: "hello-from-platform", secret: false, source: "platform" },
      { key: "LogLevel", value: "trace", secret: false, source: "repository" },
      { key: "Region", value: "ap-south-1", secret: false, source: "repository" },
      { key: "Stage", value: "preview", secret: false, source: "platform" },
    ]);

    // The seed command ran after the first deploy, with the stack's outputs.
    expect(ready.outputs).toMatchObject({ TableName: expect.stringMatching(new RegExp(`^${id}-Table-`)) });
    const log = await logOf(id);
    expect(log).toContain(`seed saw table ${ready.outputs?.TableName} of ${id}`);
    expect(log).toContain("cloudformation: parameter LogLevel: from the branch's .stackfork/config.json");

    // An environment's own value: `stackfork config set` redeploys; CloudFormation holds the new value.
    const set = await runCli(["config", "set", id, "Greeting=hello-from-env"], cliEnv, work);
    expect(set.code, `${set.stderr}\n${server.output.join("").slice(-3000)}`).toBe(0);
    const after = await server.waitFor(
      id,
      (e) => e.events.filter((event) => event.type === "deploy_succeeded").length === 2 || e.status === "failed",
      150_000,
    );
    expect(after.status, JSON.stringify(after.lastError)).toBe("ready");
    expect((await parametersOf(id)).Greeting).toBe("hello-from-env");
    expect(await configOf(id)).toContainEqual({
      key: "Greeting",
      value: "hello-from-env",
      secret: false,
      source: "environment",
    });
    const ls = await runCli(["config", "ls", id], cliEnv, work);
    expect(ls.stdout).toMatch(/Greeting\s+hello-from-env\s+environment/);
    expect(after.events.filter((e) => e.type === "seed_succeeded")).toHaveLength(1); // not seeded again

    // A value set --secret is masked as a NoEcho one is; the detail page shows the same config.
    const secret = await runCli(["config", "set", id, "Stage=stage-secret-77b2", "--secret"], cliEnv, work);
    expect(secret.code, secret.stderr).toBe(0);
    const third = await server.waitFor(
      id,
      (e) => e.events.filter((event) => event.type === "deploy_succeeded").length === 3 || e.status === "failed",
      150_000,
    );
    expect(third.status, JSON.stringify(third.lastError)).toBe("ready");
    expect((await parametersOf(id)).Stage).toBe("stage-secret-77b2");
    expect(await configOf(id)).toContainEqual({ key: "Stage", value: "[secret]", secret: true, source: "environment" });
    const page = await (await fetch(`${server.baseUrl}/environments/${id}`)).text();
    const table = page.slice(page.indexOf('id="copy-config"'));
    for (const text of ["Greeting", "hello-from-env", "this environment", "Region", "ap-south-1", "platform override"])
      expect(table).toContain(text);
    expect(page).not.toContain("stage-secret-77b2");

    // The NoEcho values in no log, history or config.
    const everything = [
      (await logOf(id)).join("\n"),
      JSON.stringify(await server.environment(id)),
      JSON.stringify(await configOf(id)),
      page,
    ];
    for (const text of everything) {
      expect(text).not.toContain(OVERRIDE_SECRET);
      expect(text).not.toContain(PRODUCTION_SECRET);
      expect(text).not.toContain("stage-secret-77b2");
    }

    // The items seed, into the table the copy's stack outputs.
    const seeded = await settled(items);
    expect(seeded.status, JSON.stringify(seeded.lastError)).toBe("ready");
    const scan = await dynamodb.send(new ScanCommand({ TableName: String(seeded.outputs?.TableName) }));
    expect(scan.Count).toBe(3);
  }, 400_000);

  it("a never-copied parameter with neither a Default nor an override: PARAMETER_UNAVAILABLE naming it, nothing created", async () => {
    const id = await push("acme/shop", "feature/no-webhook", repo.commit("feature/no-webhook", branchFiles(false)));
    const failed = await settled(id);
    expect(failed.status).toBe("failed");
    expect(failed.lastError).toMatchObject({
      code: "PARAMETER_UNAVAILABLE",
      message: expect.stringMatching(/^Webhook: never copied/),
    });
    expect(await cfn.send(new DescribeStacksCommand({ StackName: id })).catch((e: Error) => e.name)).toBe(
      "ValidationError",
    );
  }, 200_000);
});
