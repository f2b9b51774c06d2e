import { describe, expect, it } from "vitest";
import { type IamRequest, simulateIamRequest } from "../test/support/simulate-iam-request.ts";
import { defineDeployerAccess } from "./deployer-access.ts";
import type { IamPolicyDocument } from "./iam-policy-document.ts";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const PREFIX = "sf";
const BUCKET = "sf-state-20260101";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d`;
const WORKER_ROLE = `arn:aws:iam::${ACCOUNT}:role/sf-worker-role`;
const access = defineDeployerAccess(
  { partition: "aws", region: REGION, account: ACCOUNT, prefix: PREFIX, stateBucket: BUCKET, kmsKeyArn: KEY },
  [WORKER_ROLE],
);

// Environment B's name starts with A's: names alone would let A reach B's resources.
const A = { environment: "shop-main", project: "acme-shop", repository: "acme/shop" };
const B = { environment: "shop-main-2", project: "acme-shop", repository: "acme/shop" };
type Env = typeof A;

const tagsOf = (env: Env) => ({
  "aws:PrincipalTag/environment": env.environment,
  "aws:PrincipalTag/project": env.project,
  "aws:PrincipalTag/repository": env.repository,
});
const requestTags = (env: Env) => ({
  "aws:RequestTag/environment": env.environment,
  "aws:RequestTag/repository": env.repository,
  "aws:RequestTag/managed-by": "stackfork",
  "aws:TagKeys": ["environment", "repository", "managed-by"],
});
const ownedBy = (env: Env) => ({ "aws:ResourceTag/environment": env.environment });

/** A request by A's deployer session (the runner's credentials for a job of environment A). */
function deployerOfA(
  request: Omit<IamRequest, "principal">,
  options: { unvalidated?: string; resourcePolicy?: IamPolicyDocument } = {},
) {
  return simulateIamRequest(
    { identity: [access.policy], ...(options.resourcePolicy && { resourcePolicy: options.resourcePolicy }) },
    {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${access.roleName}/stackfork-${A.environment}`,
      ...request,
      context: { ...tagsOf(A), ...request.context },
    },
    options,
  );
}

/**
 * A key created without a policy gets KMS's default one, which lets IAM policies decide
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html): the platform's key.
 */
const DEFAULT_KEY_POLICY: IamPolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Enable IAM User Permissions",
      Effect: "Allow",
      Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] },
      Action: ["kms:*"],
      Resource: ["*"],
    },
  ],
};

const arn = {
  table: (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
  role: (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`,
  fn: (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
  logGroup: (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`,
  object: (key: string) => `arn:aws:s3:::${BUCKET}/${key}`,
  api: (path: string) => `arn:aws:apigateway:${REGION}::${path}`,
};

describe("the deployer's roles: every role a copy creates carries the boundary", () => {
  const withBoundary = { "iam:PermissionsBoundary": access.boundaryArn };

  it("creates A's role with the boundary, never without it or with another one", async () => {
    const create = (context: Record<string, string | string[]>) =>
      deployerOfA({ action: "iam:CreateRole", resource: arn.role("shop-main-api-role"), context });
    expect(await create({ ...requestTags(A), ...withBoundary })).toBe("Allowed");
    expect(await create(requestTags(A))).toBe("ExplicitlyDenied");
    const other = { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess` };
    expect(await create({ ...requestTags(A), ...other })).toBe("ExplicitlyDenied");
  });

  it("never takes the boundary off a role, nor swaps it", async () => {
    const own = { ...ownedBy(A), ...withBoundary };
    const role = arn.role("shop-main-api-role");
    expect(await deployerOfA({ action: "iam:DeleteRolePermissionsBoundary", resource: role, context: own })).toBe(
      "ExplicitlyDenied",
    );
    const swap = { ...ownedBy(A), "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/Wider` };
    expect(await deployerOfA({ action: "iam:PutRolePermissionsBoundary", resource: role, context: swap })).toBe(
      "ExplicitlyDenied",
    );
  });

  it("changes A's roles' policies only while they carry the boundary, and never B's", async () => {
    const put = (name: string, context: Record<string, string>) =>
      deployerOfA({ action: "iam:PutRolePolicy", resource: arn.role(name), context });
    expect(await put("shop-main-api-role", { ...ownedBy(A), ...withBoundary })).toBe("Allowed");
    expect(await put("shop-main-api-role", ownedBy(A))).toBe("ImplicitlyDenied");
    expect(await put("shop-main-2-api-role", { ...ownedBy(B), ...withBoundary })).toBe("ImplicitlyDenied");
  });

  it("passes A's roles to Lambda only", async () => {
    const pass = (name: string, service: string, owner: Env) =>
      deployerOfA({
        action: "iam:PassRole",
        resource: arn.role(name),
        context: { ...ownedBy(owner), "iam:PassedToService": service },
      });
    expect(await pass("shop-main-api-role", "lambda.amazonaws.com", A)).toBe("Allowed");
    expect(await pass("shop-main-api-role", "ec2.amazonaws.com", A)).toBe("ImplicitlyDenied");
    expect(await pass("shop-main-2-api-role", "lambda.amazonaws.com", B)).toBe("ImplicitlyDenied");
  });

  it("cannot touch the platform's roles, the boundary policy or itself", async () => {
    for (const role of ["sf-worker-role", access.roleName]) {
      expect(await deployerOfA({ action: "iam:PutRolePolicy", resource: arn.role(role), context: withBoundary })).toBe(
        "ExplicitlyDenied",
      );
    }
    expect(await deployerOfA({ action: "iam:CreatePolicyVersion", resource: access.boundaryArn })).toBe(
      "ExplicitlyDenied",
    );
  });
});

describe("the deployer's copy resources: created with A's tags, changed only when tagged A", () => {
  it("creates a table named like A only when it is tagged as A", async () => {
    const create = (tags: Record<string, string | string[]>) =>
      deployerOfA({ action: "dynamodb:CreateTable", resource: arn.table("shop-main-items"), context: tags });
    expect(await create(requestTags(A))).toBe("Allowed");
    expect(await create(requestTags(B))).toBe("ExplicitlyDenied");
    expect(await create({})).toBe("ImplicitlyDenied");
    const { "aws:RequestTag/environment": _, ...withoutEnvironment } = requestTags(A);
    expect(await create({ ...withoutEnvironment, "aws:TagKeys": ["repository", "managed-by"] })).toBe(
      "ImplicitlyDenied",
    );
    expect(
      await deployerOfA({
        action: "dynamodb:CreateTable",
        resource: arn.table("billing-items"),
        context: requestTags(A),
      }),
    ).toBe("ImplicitlyDenied");
  });

  it("updates A's function, never B's, though B's name matches A's pattern", async () => {
    const update = (name: string, owner: Env) =>
      deployerOfA({ action: "lambda:UpdateFunctionCode", resource: arn.fn(name), context: ownedBy(owner) });
    expect(await update("shop-main-api", A)).toBe("Allowed");
    expect(await update("shop-main-2-api", B)).toBe("ImplicitlyDenied");
    expect(
      await deployerOfA({
        action: "lambda:GetFunctionConfiguration",
        resource: arn.fn("shop-main-2-api"),
        context: ownedBy(B),
      }),
    ).toBe("ImplicitlyDenied");
  });

  it("deletes A's table and log group, never B's", async () => {
    for (const [action, resource] of [
      ["dynamodb:DeleteTable", (env: string) => arn.table(`${env}-items`)],
      ["logs:DeleteLogGroup", (env: string) => arn.logGroup(`/aws/lambda/${env}-api`)],
    ] as const) {
      expect(await deployerOfA({ action, resource: resource(A.environment), context: ownedBy(A) })).toBe("Allowed");
      expect(await deployerOfA({ action, resource: resource(B.environment), context: ownedBy(B) })).toBe(
        "ImplicitlyDenied",
      );
    }
  });

  it("cannot retag B's resources into A, nor take an identity tag off its own", async () => {
    const table = (env: Env) => arn.table(`${env.environment}-items`);
    const retag = { ...ownedBy(B), ...requestTags(A) };
    expect(await deployerOfA({ action: "dynamodb:TagResource", resource: table(B), context: retag })).toBe(
      "ImplicitlyDenied",
    );
    const intoB = { ...ownedBy(A), "aws:RequestTag/environment": B.environment, "aws:TagKeys": ["environment"] };
    expect(await deployerOfA({ action: "iam:TagRole", resource: arn.role("shop-main-api-role"), context: intoB })).toBe(
      "ExplicitlyDenied",
    );
    const untag = { ...ownedBy(A), "aws:TagKeys": ["managed-by"] };
    expect(
      await deployerOfA({ action: "lambda:UntagResource", resource: arn.fn("shop-main-api"), context: untag }),
    ).toBe("ExplicitlyDenied");
    // A TTL extension retags expires-at: allowed on A's own resources.
    const extend = {
      ...ownedBy(A),
      "aws:RequestTag/expires-at": "2030-01-01T00:00:00Z",
      "aws:TagKeys": ["expires-at"],
    };
    expect(await deployerOfA({ action: "dynamodb:TagResource", resource: table(A), context: extend })).toBe("Allowed");
  });

  it("finds log groups by listing, which IAM authorizes on `*` only", async () => {
    expect(await deployerOfA({ action: "logs:DescribeLogGroups", resource: "*" })).toBe("Allowed");
  });

  it("lets only API Gateway invoke A's function", async () => {
    const permit = (principal: string) =>
      deployerOfA({
        action: "lambda:AddPermission",
        resource: arn.fn("shop-main-api"),
        context: { ...ownedBy(A), "lambda:Principal": principal },
      });
    expect(await permit("apigateway.amazonaws.com")).toBe("Allowed");
    expect(await permit("*")).toBe("ImplicitlyDenied");
  });

  it("creates an HTTP API tagged A, changes A's, never B's, and sets no identity tag through /tags", async () => {
    const api = (request: Omit<IamRequest, "principal">) =>
      deployerOfA(request, { unvalidated: "the simulator's data has no resource types for API Gateway V2" });
    expect(await api({ action: "apigateway:POST", resource: arn.api("/apis"), context: requestTags(A) })).toBe(
      "Allowed",
    );
    expect(await api({ action: "apigateway:POST", resource: arn.api("/apis"), context: requestTags(B) })).toBe(
      "ExplicitlyDenied",
    );
    expect(await api({ action: "apigateway:POST", resource: arn.api("/apis"), context: {} })).toBe("ImplicitlyDenied");
    expect(await api({ action: "apigateway:DELETE", resource: arn.api("/apis/a1b2c3"), context: ownedBy(A) })).toBe(
      "Allowed",
    );
    expect(
      await api({ action: "apigateway:PATCH", resource: arn.api("/apis/b4c5d6/routes/r1"), context: ownedBy(B) }),
    ).toBe("ImplicitlyDenied");
    const tags = arn.api(`/tags/${encodeURIComponent(arn.api("/apis/b4c5d6"))}`);
    const retag = { "aws:RequestTag/environment": A.environment, "aws:TagKeys": ["environment"] };
    expect(await api({ action: "apigateway:PUT", resource: tags, context: retag })).not.toBe("Allowed");
    const untag = { "aws:TagKeys": ["managed-by"] };
    expect(await api({ action: "apigateway:DELETE", resource: tags, context: untag })).not.toBe("Allowed");
    const extend = { "aws:RequestTag/expires-at": "2030-01-01T00:00:00Z", "aws:TagKeys": ["expires-at"] };
    expect(await api({ action: "apigateway:PUT", resource: tags, context: extend })).toBe("Allowed");
  });
});

describe("the deployer's state: its own stack in Pulumi's DIY layout, nothing else of the bucket", () => {
  const stacks = ".pulumi/stacks";
  it("reads and writes A's checkpoint, lock, history and backups", async () => {
    for (const key of [
      `${stacks}/acme-shop/shop-main.json`,
      `${stacks}/acme-shop/shop-main.json.bak`,
      `${stacks}/acme-shop/shop-main.pulumi-tags`,
      ".pulumi/locks/organization/acme-shop/shop-main/1f2e.json",
      ".pulumi/history/acme-shop/shop-main/shop-main-1700000000.history.json",
      ".pulumi/backups/acme-shop/shop-main/shop-main.1700000000.json",
    ]) {
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
        expect(await deployerOfA({ action, resource: arn.object(key) }), `${action} ${key}`).toBe("Allowed");
      }
    }
    expect(await deployerOfA({ action: "s3:GetObject", resource: arn.object(".pulumi/meta.yaml") })).toBe("Allowed");
  });

  it("never reaches B's stack, another project's stack of the same name, the layout file or the uploads", async () => {
    for (const key of [
      `${stacks}/acme-shop/shop-main-2.json`,
      `${stacks}/acme-billing/shop-main.json`,
      ".pulumi/locks/organization/acme-shop/shop-main-2/1f2e.json",
      ".pulumi/history/acme-shop/shop-main-2/x.history.json",
      "uploads/0123456789abcdef.tar.gz",
    ]) {
      expect(await deployerOfA({ action: "s3:GetObject", resource: arn.object(key) }), key).toBe("ImplicitlyDenied");
      expect(await deployerOfA({ action: "s3:PutObject", resource: arn.object(key) }), key).toBe("ImplicitlyDenied");
    }
    expect(await deployerOfA({ action: "s3:PutObject", resource: arn.object(".pulumi/meta.yaml") })).toBe(
      "ImplicitlyDenied",
    );
  });

  it("lists only the prefixes the CLI lists for A's stack", async () => {
    const list = (prefix?: string) =>
      deployerOfA({
        action: "s3:ListBucket",
        resource: `arn:aws:s3:::${BUCKET}`,
        context: prefix === undefined ? {} : { "s3:prefix": prefix },
      });
    for (const prefix of [
      `${stacks}/acme-shop/shop-main.json`,
      ".pulumi/locks/organization/acme-shop/shop-main/",
      ".pulumi/history/acme-shop/shop-main/",
      ".pulumi/backups/acme-shop/shop-main/",
    ]) {
      expect(await list(prefix), prefix).toBe("Allowed");
    }
    for (const prefix of [`${stacks}/`, `${stacks}/acme-shop/`, ".pulumi/history/acme-shop/shop-main-2/", ""]) {
      expect(await list(prefix), prefix).toBe("ImplicitlyDenied");
    }
    expect(await list()).toBe("ImplicitlyDenied");
  });

  it("decrypts A's stack secrets only under A's encryption context, and the bucket's objects only through S3", async () => {
    const kms = (action: string, context: Record<string, string>) =>
      deployerOfA(
        { action, resource: KEY, context },
        {
          unvalidated: "the simulator matches no kms:EncryptionContext:<key> to the reference's pattern",
          resourcePolicy: DEFAULT_KEY_POLICY,
        },
      );
    expect(await kms("kms:Decrypt", { "kms:EncryptionContext:environment": A.environment })).toBe("Allowed");
    expect(await kms("kms:Encrypt", { "kms:EncryptionContext:environment": A.environment })).toBe("Allowed");
    expect(await kms("kms:Decrypt", { "kms:EncryptionContext:environment": B.environment })).toBe("ImplicitlyDenied");
    expect(await kms("kms:Decrypt", {})).toBe("ImplicitlyDenied");
    const viaS3 = { "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${BUCKET}` };
    expect(await kms("kms:GenerateDataKey", { ...viaS3, "kms:ViaService": `s3.${REGION}.amazonaws.com` })).toBe(
      "Allowed",
    );
    expect(await kms("kms:Decrypt", viaS3)).toBe("ImplicitlyDenied");
  });
});

describe("the deployer and the platform's own resources", () => {
  it("never reaches the registry, the jobs table, the GitHub secret or the wake queue", async () => {
    const denied: [string, string][] = [
      ["dynamodb:GetItem", arn.table("sf-registry")],
      ["dynamodb:Scan", arn.table("sf-jobs")],
      ["dynamodb:PutItem", arn.table("sf-jobs")],
      ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:sf/github-token-AbCdEf`],
      ["sqs:SendMessage", `arn:aws:sqs:${REGION}:${ACCOUNT}:sf-wake.fifo`],
      ["sqs:ReceiveMessage", `arn:aws:sqs:${REGION}:${ACCOUNT}:sf-wake.fifo`],
    ];
    for (const [action, resource] of denied) {
      expect(await deployerOfA({ action, resource }), `${action} ${resource}`).toBe("ExplicitlyDenied");
    }
  });

  it("cannot change a platform resource even when it is tagged like A", async () => {
    const request = { action: "dynamodb:DeleteTable", resource: arn.table("sf-registry"), context: ownedBy(A) };
    expect(await deployerOfA(request)).toBe("ExplicitlyDenied");
  });
});

describe("the deployer's trust policy", () => {
  const assume = (caller: string, tags: Record<string, string>) =>
    simulateIamRequest(
      {
        identity: [
          {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "AssumeDeployer",
                Effect: "Allow",
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Resource: [access.roleArn],
              },
            ],
          },
        ],
        resourcePolicy: access.trust,
      },
      {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${caller}/job`,
        action: "sts:AssumeRole",
        resource: access.roleArn,
        context: {
          ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])),
          "aws:TagKeys": Object.keys(tags),
        },
      },
    );

  it("lets the worker in with the environment's three session tags, and only so", async () => {
    expect(await assume("sf-worker-role", A)).toBe("Allowed");
    const { environment: _, ...withoutEnvironment } = A;
    expect(await assume("sf-worker-role", withoutEnvironment)).toBe("ImplicitlyDenied");
    expect(await assume("sf-worker-role", { ...A, admin: "true" })).toBe("ImplicitlyDenied");
    expect(await assume("sf-dashboard-role", A)).toBe("ImplicitlyDenied");
  });
});

describe("the copies' permissions boundary (a copy's role at run time)", () => {
  // Whatever the copy's own policy says: here, everything on its tables and every secret.
  const wide = {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Sid: "Everything",
        Effect: "Allow" as const,
        Action: ["dynamodb:GetItem", "dynamodb:Scan", "secretsmanager:GetSecretValue", "logs:PutLogEvents"],
        Resource: ["*"],
      },
    ],
  };
  const copyOfA = (request: Omit<IamRequest, "principal">) =>
    simulateIamRequest(
      { identity: [wide], boundary: access.boundary },
      {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/shop-main-api-role/shop-main-api`,
        ...request,
        context: { "aws:PrincipalTag/environment": A.environment, ...request.context },
      },
    );

  it("reads its own table's items, never B's, the platform's or a secret", async () => {
    expect(
      await copyOfA({ action: "dynamodb:GetItem", resource: arn.table("shop-main-items"), context: ownedBy(A) }),
    ).toBe("Allowed");
    expect(
      await copyOfA({ action: "dynamodb:GetItem", resource: arn.table("shop-main-2-items"), context: ownedBy(B) }),
    ).toBe("ImplicitlyDenied");
    expect(await copyOfA({ action: "dynamodb:Scan", resource: arn.table("sf-registry") })).toBe("ImplicitlyDenied");
    const secret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:sf/github-token-AbCdEf`;
    expect(await copyOfA({ action: "secretsmanager:GetSecretValue", resource: secret })).toBe("ImplicitlyDenied");
  });

  it("writes its own function's logs", async () => {
    const stream = arn.logGroup("/aws/lambda/shop-main-api:log-stream:2026/01/01/[$LATEST]abc");
    expect(await copyOfA({ action: "logs:PutLogEvents", resource: stream })).toBe("Allowed");
    const other = arn.logGroup("/aws/lambda/sf-worker:log-stream:x");
    expect(await copyOfA({ action: "logs:PutLogEvents", resource: other })).toBe("ImplicitlyDenied");
  });
});

describe("the deployer's policy size", () => {
  it("stays under IAM's 10,240 characters of inline policy per role, with the longest names allowed", () => {
    const longest = defineDeployerAccess(
      {
        partition: "aws-us-gov",
        region: "ap-southeast-2",
        account: ACCOUNT,
        prefix: "p".repeat(40), // aws/aws-resources.ts's PREFIX_PATTERN
        stateBucket: "b".repeat(63), // S3's limit
        stateKeyPrefix: "stackfork/state",
        kmsKeyArn: `arn:aws-us-gov:kms:ap-southeast-2:${ACCOUNT}:key/0a1b2c3d-1234-5678-9abc-def012345678`,
      },
      [`arn:aws-us-gov:iam::${ACCOUNT}:role/${"p".repeat(40)}-worker-role`],
    );
    // IAM counts the document without whitespace: JSON.stringify writes none.
    expect(JSON.stringify(longest.policy).length).toBeLessThan(10_240);
    // A managed policy (the boundary) has 6,144.
    expect(JSON.stringify(longest.boundary).length).toBeLessThan(6_144);
  });
});
