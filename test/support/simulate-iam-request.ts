import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { IamPolicyDocument } from "../../aws/iam-policy-document.ts";

export type IamDecision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface IamPolicies {
  /** Every identity policy of the principal (inline and managed alike). */
  identity: IamPolicyDocument[];
  /** The principal's permissions boundary, if it has one. */
  boundary?: IamPolicyDocument;
  /** The resource's own policy: a role's trust policy for sts:AssumeRole. */
  resourcePolicy?: IamPolicyDocument;
}

export interface IamRequest {
  /** The caller: `arn:aws:sts::<account>:assumed-role/<role>/<session>` for a role's session. */
  principal: string;
  action: string;
  resource: string;
  /** Request context keys (aws:PrincipalTag/..., aws:RequestTag/..., s3:prefix...). */
  context?: Record<string, string | string[]>;
}

/**
 * AWS's decision on one request, evaluated offline by @cloud-copilot/iam-simulate (moto does not
 * enforce IAM). The simulator checks the action, the resource's type and every context key against
 * the service authorization reference; a request it finds malformed, or a context key it would
 * ignore for that action and resource, throws here: a test must not pass on a key AWS never sees.
 *
 * `unvalidated` (say why) skips those checks for what the simulator's reference data cannot express
 * yet: API Gateway V2's resources (`/apis/...`), and keys named `<prefix>:<name>:<variable>` such as
 * `kms:EncryptionContext:<key>`. The evaluation itself is the same.
 */
export async function simulateIamRequest(
  policies: IamPolicies,
  request: IamRequest,
  options: { unvalidated?: string } = {},
): Promise<IamDecision> {
  const simulation = toSimulation(policies, request);
  if (options.unvalidated) {
    // The unchecked path loads a resource policy without a name and then reads it: give it one the
    // way its own policy loader takes a checked policy (iam-policy's createValidatedPolicy shape).
    const resourcePolicy = policies.resourcePolicy && {
      __validated: true,
      policyDocument: policies.resourcePolicy,
      metadata: { name: "resource-policy" },
    };
    return runUnsafeSimulation({ ...simulation, resourcePolicy }, {}) as IamDecision;
  }
  const response = await runSimulation(simulation, {});
  if (response.resultType === "error") {
    throw new Error(
      `IAM simulation refused ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`,
    );
  }
  if (response.resultType !== "single") throw new Error(`expected one resource, got ${response.resultType}`);
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new Error(`${request.action} on ${request.resource} does not read context keys ${ignored.join(", ")}`);
  }
  return response.overallResult as IamDecision;
}

function toSimulation(policies: IamPolicies, request: IamRequest): Simulation {
  const accountOf = (arn: string) => /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1];
  return {
    request: {
      principal: request.principal,
      action: request.action,
      // S3 and API Gateway ARNs hold no account: the caller's.
      resource: {
        resource: request.resource,
        accountId: accountOf(request.resource) ?? accountOf(request.principal) ?? "",
      },
      contextVariables: request.context ?? {},
    },
    identityPolicies: policies.identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(policies.boundary && { permissionBoundaryPolicies: [{ name: "boundary", policy: policies.boundary }] }),
    ...(policies.resourcePolicy && { resourcePolicy: policies.resourcePolicy }),
  };
}
