import { describe, expect, it } from "vitest";
import { simulateIamRequest } from "../test/support/simulate-iam-request.ts";
import { defineDeployerAccess } from "./deployer-access.ts";
import type { DeployerScope } from "./deployer-scope.ts";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const BUCKET = "sf-state-20260101";
const SCOPE: DeployerScope = { partition: "aws", region: REGION, account: ACCOUNT, prefix: "sf", stateBucket: BUCKET };
const access = defineDeployerAccess(SCOPE, [`arn:aws:iam::${ACCOUNT}:role/sf-worker-role`]);

// B's name starts with A's: names alone must not let A reach B's stack or artifacts, nor B A's.
const A = { environment: "shop-main", project: "acme-shop", repository: "acme/shop" };
const B = { environment: "shop-main-2", project: "acme-shop", repository: "acme/shop" };
// A name that starts with a digit: its stack is `sf-3d-main` (cloudformation/copy-stack-name.ts).
const C = { environment: "3d-main", project: "acme-3d", repository: "acme/3d" };
type Env = typeof A;

const stackArn = (name: string) =>
  `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0f6e1b40-0000-0000-0000-000000000000`;
const objectArn = (env: Env, bucket = BUCKET) =>
  `arn:aws:s3:::${bucket}/artifacts/${env.project}/${env.environment}/${"a".repeat(64)}.zip`;
const requestTags = (env: Env) => ({
  "aws:RequestTag/environment": env.environment,
  "aws:RequestTag/repository": env.repository,
  "aws:RequestTag/managed-by": "stackfork",
  "aws:TagKeys": ["environment", "repository", "managed-by"],
});
const viaCloudFormation = { "aws:CalledVia": ["cloudformation.amazonaws.com"] };

/** A request by `env`'s deployer session, which holds the inline policy and the managed one. */
const deployerOf =
  (env: Env, policies = access) =>
  (action: string, resource: string, context: Record<string, string | string[]> = {}, unvalidated?: string) =>
    simulateIamRequest(
      { identity: [policies.policy, policies.cloudFormationPolicy] },
      {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${policies.roleName}/stackfork-${env.environment}`,
        action,
        resource,
        context: {
          "aws:PrincipalTag/environment": env.environment,
          "aws:PrincipalTag/project": env.project,
          "aws:PrincipalTag/repository": env.repository,
          ...context,
        },
      },
      unvalidated ? { unvalidated } : {},
    );
const asA = deployerOf(A);
const asB = deployerOf(B);

describe("the deployer's CloudFormation rights: one environment's stack", () => {
  it("creates its own stack only with its own tags, and neither of A and B creates the other's", async () => {
    for (const action of ["cloudformation:CreateStack", "cloudformation:CreateChangeSet"]) {
      expect(await asA(action, stackArn(A.environment), requestTags(A))).toBe("Allowed");
      expect(await asB(action, stackArn(B.environment), requestTags(B))).toBe("Allowed");
      expect(await asA(action, stackArn(A.environment), requestTags(B))).toBe("ImplicitlyDenied");
      expect(await asA(action, stackArn(A.environment))).toBe("ImplicitlyDenied");
      expect(await asA(action, stackArn(B.environment), requestTags(A))).toBe("ImplicitlyDenied");
      expect(await asB(action, stackArn(A.environment), requestTags(B))).toBe("ImplicitlyDenied");
    }
    expect(await asA("cloudformation:TagResource", stackArn(A.environment), requestTags(A))).toBe("Allowed");
    expect(await asA("cloudformation:TagResource", stackArn(B.environment), requestTags(A))).toBe("ImplicitlyDenied");
  });

  it("creates `sf-<environment>` for a name that starts with a digit", async () => {
    const asC = deployerOf(C);
    expect(await asC("cloudformation:CreateStack", stackArn(`sf-${C.environment}`), requestTags(C))).toBe("Allowed");
    expect(await asC("cloudformation:DeleteStack", stackArn(`sf-${C.environment}`))).toBe("Allowed");
    expect(await asA("cloudformation:DeleteStack", stackArn(`sf-${C.environment}`))).toBe("ImplicitlyDenied");
  });

  it("updates, watches and deletes its own stack, never the other's", async () => {
    for (const action of [
      "cloudformation:DescribeChangeSet",
      "cloudformation:ExecuteChangeSet",
      "cloudformation:DeleteChangeSet",
      "cloudformation:DeleteStack",
      "cloudformation:DescribeStackEvents",
      "cloudformation:DescribeStackResources",
    ]) {
      expect(await asA(action, stackArn(A.environment))).toBe("Allowed");
      expect(await asB(action, stackArn(B.environment))).toBe("Allowed");
      expect(await asA(action, stackArn(B.environment))).toBe("ImplicitlyDenied");
      expect(await asB(action, stackArn(A.environment))).toBe("ImplicitlyDenied");
    }
    // Updates go through change sets only.
    expect(await asA("cloudformation:UpdateStack", stackArn(A.environment))).toBe("ImplicitlyDenied");
  });

  it("describes any stack (production's parameters, NoEcho ones as ****), but reads no other template", async () => {
    expect(await asA("cloudformation:DescribeStacks", stackArn("shop-prod"))).toBe("Allowed");
    expect(await asA("cloudformation:GetTemplate", stackArn("shop-prod"))).toBe("ImplicitlyDenied");
    expect(await asA("cloudformation:DescribeStackResources", stackArn("shop-prod"))).toBe("ImplicitlyDenied");
  });

  it("lets CloudFormation create and change its nested stacks, never another environment's", async () => {
    const nestedOfA = stackArn(`${A.environment}-Orders-1ABC2DEF3GH4`);
    const nestedOfB = stackArn(`${B.environment}-Orders-9ZYX8WVU7TS6`);
    expect(await asA("cloudformation:CreateStack", nestedOfA, { ...requestTags(A), ...viaCloudFormation })).toBe(
      "Allowed",
    );
    // Called by the session itself, the nested pattern would reach B's name: refused.
    expect(await asA("cloudformation:CreateStack", stackArn(B.environment), requestTags(A))).toBe("ImplicitlyDenied");
    expect(await asA("cloudformation:CreateStack", nestedOfB, { ...requestTags(B), ...viaCloudFormation })).toBe(
      "ImplicitlyDenied",
    );
    for (const action of ["cloudformation:UpdateStack", "cloudformation:DeleteStack"]) {
      const owned = (env: Env) => ({ "aws:ResourceTag/environment": env.environment });
      expect(await asA(action, nestedOfA, owned(A))).toBe("Allowed");
      expect(await asA(action, nestedOfB, owned(B))).toBe("ImplicitlyDenied");
      expect(await asB(action, nestedOfA, owned(A))).toBe("ImplicitlyDenied");
    }
  });

  it("runs AWS's own transforms (SAM) as change sets", async () => {
    const sam = `arn:aws:cloudformation:${REGION}:aws:transform/Serverless-2016-10-31`;
    const unvalidated = "the simulator's reference lists no `transform` resource type for CreateChangeSet";
    expect(await asA("cloudformation:CreateChangeSet", sam, {}, unvalidated)).toBe("Allowed");
  });
});

describe("the deployer's CloudFormation rights: one environment's artifacts", () => {
  it("puts and reads its own artifacts in the state bucket, never the other's", async () => {
    for (const action of ["s3:PutObject", "s3:GetObject"]) {
      expect(await asA(action, objectArn(A))).toBe("Allowed");
      expect(await asB(action, objectArn(B))).toBe("Allowed");
      expect(await asA(action, objectArn(B))).toBe("ImplicitlyDenied");
      expect(await asB(action, objectArn(A))).toBe("ImplicitlyDenied");
    }
    expect(await asA("s3:DeleteObject", objectArn(A))).toBe("ImplicitlyDenied");
  });

  it("lists only its own prefix (so a missing key is a 404)", async () => {
    const list = (as: typeof asA, env: Env) =>
      as("s3:ListBucket", `arn:aws:s3:::${BUCKET}`, {
        "s3:prefix": `artifacts/${env.project}/${env.environment}/x.zip`,
      });
    expect(await list(asA, A)).toBe("Allowed");
    expect(await list(asA, B)).toBe("ImplicitlyDenied");
    expect(await list(asB, A)).toBe("ImplicitlyDenied");
  });

  it("uses `<prefix>-artifacts-<account>` when the state is not on S3", async () => {
    const withoutState = defineDeployerAccess({ ...SCOPE, stateBucket: undefined }, []);
    const bucket = `sf-artifacts-${ACCOUNT}`;
    expect(await deployerOf(A, withoutState)("s3:PutObject", objectArn(A, bucket))).toBe("Allowed");
    expect(await deployerOf(A, withoutState)("s3:PutObject", objectArn(B, bucket))).toBe("ImplicitlyDenied");
  });
});

describe("the deployer's policies' sizes, with the longest names allowed", () => {
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

  // IAM counts a document without whitespace: JSON.stringify writes none.
  it("keeps the CloudFormation policy under IAM's 6,144 characters of a managed policy", () => {
    expect(JSON.stringify(longest.cloudFormationPolicy).length).toBeLessThan(6_144);
    const withoutState = defineDeployerAccess({ ...SCOPE, prefix: "p".repeat(40), stateBucket: undefined }, []);
    expect(JSON.stringify(withoutState.cloudFormationPolicy).length).toBeLessThan(6_144);
  });

  it("keeps the inline policy under IAM's 10,240 characters per role: no CloudFormation right went into it", () => {
    expect(JSON.stringify(longest.policy).length).toBeLessThan(10_240);
    expect(JSON.stringify(longest.policy)).not.toContain("cloudformation:");
  });
});
