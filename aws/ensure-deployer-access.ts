import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { type DeployerAccess, defineDeployerAccess } from "./deployer-access.ts";
import { DEPLOYER_POLICY_NAME } from "./deployer-names.ts";
import type { DeployerScope } from "./deployer-scope.ts";
import type { IamPolicyDocument } from "./iam-policy-document.ts";
import { translateAwsError } from "./translate-aws-error.ts";

/** IAM keeps at most five versions of a managed policy. */
const MAX_POLICY_VERSIONS = 5;

export interface DeployerAccessOptions extends Omit<DeployerScope, "partition" | "region" | "account"> {
  clients: { iam: IAMClient; sts: STSClient };
  note: (what: string, created: boolean) => void;
}

/**
 * `stackfork aws bootstrap`'s deployer role, its CloudFormation policy and the copies' boundary
 * (aws/deployer-access.ts), in the caller's account and region; the role trusts the account (whoever
 * its own policies allow to assume it), only with the session tags. Run again, it brings every
 * document up to the definition.
 */
export async function ensureDeployerAccess(options: DeployerAccessOptions): Promise<DeployerAccess> {
  const { iam, sts } = options.clients;
  const caller = await sts.send(new GetCallerIdentityCommand({})).catch((err: unknown) => {
    throw translateAwsError(err, "sts:GetCallerIdentity");
  });
  const account = caller.Account ?? "";
  const partition = caller.Arn?.split(":")[1] || "aws";
  const region = await sts.config.region();
  const { clients: _, note, ...named } = options;
  const access = defineDeployerAccess({ ...named, partition, region, account }, [
    `arn:${partition}:iam::${account}:root`,
  ]);
  note(
    `IAM policy ${access.boundaryName}`,
    await ensureManagedPolicy(iam, {
      name: access.boundaryName,
      arn: access.boundaryArn,
      document: access.boundary,
      description: "stackfork: permissions boundary of every role a copy creates",
    }),
  );
  note(
    `IAM policy ${access.cloudFormationPolicyName}`,
    await ensureManagedPolicy(iam, {
      name: access.cloudFormationPolicyName,
      arn: access.cloudFormationPolicyArn,
      document: access.cloudFormationPolicy,
      description: "stackfork: the deployer's CloudFormation stack and artifacts of one environment",
    }),
  );
  note(`IAM role ${access.roleName}`, await ensureRole(iam, access));
  await ensureAttached(iam, access.roleName, access.cloudFormationPolicyArn);
  return access;
}

interface ManagedPolicy {
  name: string;
  arn: string;
  document: IamPolicyDocument;
  description: string;
}

/** Creates the policy, or makes its default version the document; says whether it created it. */
async function ensureManagedPolicy(iam: IAMClient, policy: ManagedPolicy): Promise<boolean> {
  const PolicyArn = policy.arn;
  const document = JSON.stringify(policy.document);
  try {
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn }));
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn, VersionId: Policy?.DefaultVersionId }),
    );
    if (!sameDocument(PolicyVersion?.Document, policy.document)) await replaceDefaultVersion(iam, PolicyArn, document);
    return false;
  } catch (err) {
    if (!isNoSuchEntity(err)) throw translateAwsError(err, `GetPolicy ${PolicyArn}`);
  }
  try {
    await iam.send(
      new CreatePolicyCommand({ PolicyName: policy.name, PolicyDocument: document, Description: policy.description }),
    );
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === "EntityAlreadyExistsException") return false;
    throw translateAwsError(err, `CreatePolicy ${policy.name}`);
  }
}

/** Attaches the managed policy to the role unless it already is (attaching twice is a no-op, but a call). */
async function ensureAttached(iam: IAMClient, RoleName: string, PolicyArn: string): Promise<void> {
  try {
    let Marker: string | undefined;
    do {
      const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker }));
      if (page.AttachedPolicies?.some((p) => p.PolicyArn === PolicyArn)) return;
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
  } catch (err) {
    throw translateAwsError(err, `AttachRolePolicy ${RoleName} ${PolicyArn}`);
  }
}

/** A new default version; the oldest others go first when IAM's five are taken. */
async function replaceDefaultVersion(iam: IAMClient, PolicyArn: string, document: string): Promise<void> {
  try {
    const { Versions = [] } = await iam.send(new ListPolicyVersionsCommand({ PolicyArn }));
    const others = Versions.filter((v) => !v.IsDefaultVersion).sort(
      (a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0),
    );
    for (const old of others.slice(0, Math.max(0, Versions.length - (MAX_POLICY_VERSIONS - 1)))) {
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: old.VersionId }));
    }
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: document, SetAsDefault: true }));
  } catch (err) {
    throw translateAwsError(err, `CreatePolicyVersion ${PolicyArn}`);
  }
}

async function ensureRole(iam: IAMClient, access: DeployerAccess): Promise<boolean> {
  const RoleName = access.roleName;
  const trust = JSON.stringify(access.trust);
  let created = false;
  try {
    await iam.send(new GetRoleCommand({ RoleName }));
  } catch (err) {
    if (!isNoSuchEntity(err)) throw translateAwsError(err, `GetRole ${RoleName}`);
    created = await createRole(iam, RoleName, trust);
  }
  try {
    if (!created) await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName,
        PolicyName: DEPLOYER_POLICY_NAME,
        PolicyDocument: JSON.stringify(access.policy),
      }),
    );
  } catch (err) {
    throw translateAwsError(err, `PutRolePolicy ${RoleName}`);
  }
  return created;
}

async function createRole(iam: IAMClient, RoleName: string, trust: string): Promise<boolean> {
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName,
        AssumeRolePolicyDocument: trust,
        // Also the most a chained session (a Lambda worker's) may ask for.
        MaxSessionDuration: 3600,
        Description: "stackfork: assumed per job with the environment's session tags; reaches that environment only",
      }),
    );
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === "EntityAlreadyExistsException") return false;
    throw translateAwsError(err, `CreateRole ${RoleName}`);
  }
}

/** IAM returns a version's document URL-encoded (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html). */
function sameDocument(stored: string | undefined, wanted: IamPolicyDocument): boolean {
  if (!stored) return false;
  for (const text of [stored, safeDecode(stored)]) {
    try {
      if (JSON.stringify(JSON.parse(text)) === JSON.stringify(wanted)) return true;
    } catch {
      // not this encoding
    }
  }
  return false;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isNoSuchEntity(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchEntityException" || e.name === "NoSuchEntity";
}
