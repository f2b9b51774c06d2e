import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { nameEnvironment } from "../../../core/environment-name.ts";
import { resolveOutput } from "../testing/resolve-output.ts";

// biome-ignore lint/suspicious/noExplicitAny: resource properties are free-form JSON, read by path in assertions
type Properties = Record<string, any>;

interface RegisteredResource {
  type: string;
  name: string;
  inputs: Properties;
  state: Properties;
}

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const registered: RegisteredResource[] = [];

/** Computed outputs the way AWS forms them, from the inputs the program sent. */
function computedState(type: string, name: string, inputs: Properties): Properties {
  switch (type) {
    case "aws:dynamodb/table:Table":
      return { arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${inputs.name}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${inputs.name}` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${inputs.name}` };
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${inputs.name}`;
      return { arn, invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn}/invocations` };
    }
    case "aws:apigatewayv2/api:Api":
      return {
        apiEndpoint: `https://${name}-id.execute-api.${REGION}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${name}-id`,
      };
    case "aws:apigatewayv2/stage:Stage":
      return { invokeUrl: `https://${inputs.apiId}.execute-api.${REGION}.amazonaws.com/` };
    default:
      return {};
  }
}

// A 200-character branch with slashes, quotes and unicode, named the way the platform names it.
const branch = [...`feature/"quoted"/it's/ünïcödé-🚀/${"long-".repeat(40)}`].slice(0, 200).join("");
const repository = "acme/shop";
const environment = nameEnvironment({ kind: "branch", repository, branch });
const boundary = `arn:aws:iam::${ACCOUNT}:policy/stackfork-copy-boundary`;

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs) };
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "service",
    environment,
    false,
  );
  pulumi.runtime.setAllConfig({
    "stackfork:environment": environment,
    "stackfork:repository": repository,
    "stackfork:branch": branch,
    "stackfork:commit": "0123456789abcdef0123456789abcdef01234567",
    "stackfork:owner": "octocat",
    "stackfork:expiresAt": "2030-01-02T03:04:05Z",
    "stackfork:target": "aws",
    "stackfork:permissionsBoundary": boundary,
  });
  const { default: program } = await import("../index.ts");
  const outputs = await program();
  url = await resolveOutput(pulumi.output(outputs.url));
});

let url: string;

function resourcesOf(type: string): RegisteredResource[] {
  return registered.filter((r) => r.type === type);
}

function only(type: string): RegisteredResource {
  const [resource, ...others] = resourcesOf(type);
  expect(resource, type).toBeDefined();
  expect(others).toEqual([]);
  return resource as RegisteredResource;
}

describe("the service stack, target aws (Pulumi mocks)", () => {
  it("declares API Gateway, Lambda, DynamoDB, IAM and the log group, and outputs the URL without a trailing slash", () => {
    expect(registered.map((r) => r.type).sort()).toEqual([
      "aws:apigatewayv2/api:Api",
      "aws:apigatewayv2/integration:Integration",
      "aws:apigatewayv2/route:Route",
      "aws:apigatewayv2/stage:Stage",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:dynamodb/table:Table",
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:lambda/function:Function",
      "aws:lambda/permission:Permission",
    ]);
    expect(url).toMatch(/^https:\/\/[\w-]+\.execute-api\.us-east-1\.amazonaws\.com$/);
  });

  it("keeps every physical name within its AWS limit for a 200-character branch", () => {
    expect([...branch]).toHaveLength(200);
    expect(environment.length).toBeLessThanOrEqual(40);
    const limits: [string, number, RegExp][] = [
      ["aws:lambda/function:Function", 64, /^[A-Za-z0-9_-]+$/],
      ["aws:iam/role:Role", 64, /^[\w+=,.@-]+$/],
      ["aws:iam/rolePolicy:RolePolicy", 128, /^[\w+=,.@-]+$/],
      ["aws:dynamodb/table:Table", 255, /^[A-Za-z0-9_.-]+$/],
      ["aws:cloudwatch/logGroup:LogGroup", 512, /^[\w.\-/#]+$/],
      ["aws:apigatewayv2/api:Api", 128, /^[\w .-]+$/],
    ];
    for (const [type, limit, allowed] of limits) {
      const name: string = only(type).inputs.name;
      expect(name.length, type).toBeLessThanOrEqual(limit);
      expect(name, type).toMatch(allowed);
      expect(name, type).toContain(environment);
    }
    expect(only("aws:cloudwatch/logGroup:LogGroup").inputs.name).toBe(
      `/aws/lambda/${only("aws:lambda/function:Function").inputs.name}`,
    );
  });

  it("lets the role touch only items of its own table and its own log group", () => {
    const table = only("aws:dynamodb/table:Table");
    const logGroup = only("aws:cloudwatch/logGroup:LogGroup");
    const rolePolicy = only("aws:iam/rolePolicy:RolePolicy");
    expect(rolePolicy.inputs.role).toBe(only("aws:iam/role:Role").inputs.name);
    const statements: { Effect: string; Action: string[]; Resource: string[] }[] = JSON.parse(
      rolePolicy.inputs.policy,
    ).Statement;
    const dynamo = statements.filter((s) => s.Action.some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]?.Resource).toEqual([table.state.arn]);
    for (const action of dynamo[0]?.Action ?? []) {
      expect(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Scan", "Query"]).toContain(
        action.replace("dynamodb:", ""),
      );
    }
    const others = statements.filter((s) => !dynamo.includes(s));
    for (const statement of others) {
      expect(statement.Action.every((a) => a.startsWith("logs:"))).toBe(true);
      expect(statement.Resource).toEqual([`${logGroup.state.arn}:*`]);
    }
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    expect(JSON.stringify(statements)).not.toMatch(/"\*"|dynamodb:\*|logs:\*/);
  });

  it("puts the platform's permissions boundary on the role, the only one the copy creates", () => {
    expect(only("aws:iam/role:Role").inputs.permissionsBoundary).toBe(boundary);
  });

  it("tags every taggable resource with sanitised values", () => {
    const taggable = [
      "aws:dynamodb/table:Table",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:iam/role:Role",
      "aws:lambda/function:Function",
      "aws:apigatewayv2/api:Api",
      "aws:apigatewayv2/stage:Stage",
    ];
    for (const type of taggable) {
      const tags: Record<string, string> = only(type).inputs.tags;
      expect(Object.keys(tags).sort(), type).toEqual([
        "branch",
        "environment",
        "expires-at",
        "managed-by",
        "owner",
        "repository",
      ]);
      expect(tags).toMatchObject({
        environment,
        repository,
        owner: "octocat",
        "expires-at": "2030-01-02T03:04:05Z",
        "managed-by": "stackfork",
      });
      expect(tags.branch).toMatch(/^feature\/_quoted_\/it_s\/unicode-_\/long-/);
      for (const value of Object.values(tags)) expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u);
    }
  });

  it("passes the table's name and the copy's identity to the function, on nodejs22.x or later", () => {
    const fn = only("aws:lambda/function:Function");
    expect(fn.inputs.environment.variables).toEqual({
      TABLE_NAME: only("aws:dynamodb/table:Table").inputs.name,
      STACKFORK_ENVIRONMENT: environment,
      STACKFORK_REPOSITORY: repository,
      STACKFORK_BRANCH: branch,
      STACKFORK_COMMIT: "0123456789abcdef0123456789abcdef01234567",
      STACKFORK_OWNER: "octocat",
    });
    expect(Number(/^nodejs(\d+)\.x$/.exec(fn.inputs.runtime)?.[1])).toBeGreaterThanOrEqual(22);
    expect(fn.inputs.role).toBe(only("aws:iam/role:Role").state.arn);
    expect(fn.inputs.loggingConfig.logGroup).toBe(only("aws:cloudwatch/logGroup:LogGroup").inputs.name);
  });

  it("routes everything through a $default route and auto-deployed stage to the function, payload 2.0", () => {
    const fn = only("aws:lambda/function:Function");
    const api = only("aws:apigatewayv2/api:Api");
    const integration = only("aws:apigatewayv2/integration:Integration");
    expect(api.inputs.protocolType).toBe("HTTP");
    expect(integration.inputs).toMatchObject({
      integrationType: "AWS_PROXY",
      payloadFormatVersion: "2.0",
      integrationUri: fn.state.invokeArn,
    });
    expect(only("aws:apigatewayv2/route:Route").inputs).toMatchObject({
      routeKey: "$default",
      target: `integrations/${integration.name}-id`,
    });
    expect(only("aws:apigatewayv2/stage:Stage").inputs).toMatchObject({ name: "$default", autoDeploy: true });
    expect(only("aws:lambda/permission:Permission").inputs).toMatchObject({
      function: fn.inputs.name,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${api.state.executionArn}/*`,
    });
  });

  it("keeps a retention on the function's log group and bills the table on demand", () => {
    expect(only("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).toBeGreaterThan(0);
    expect(only("aws:dynamodb/table:Table").inputs).toMatchObject({ billingMode: "PAY_PER_REQUEST", hashKey: "id" });
  });
});
