/**
 * IAM policy documents as plain JSON values, the shape IAM takes
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html): the deployer's
 * documents are built once (aws/deployer-access.ts) and sent as they are by `stackfork aws bootstrap`
 * (SDK) and by the platform program (@pulumi/aws).
 */
export interface IamStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  /** Only in trust (resource) policies. */
  Principal?: { AWS: string[] } | { Service: string };
  Action: string[];
  /** Absent in trust policies. */
  Resource?: string[];
  /** Operator -> condition key -> value(s). */
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicyDocument {
  Version: "2012-10-17";
  Statement: IamStatement[];
}

/**
 * `${key}`: a policy variable IAM fills in per request, here the session tags the worker passes
 * with sts:AssumeRole (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 * Tag values cannot hold `*` or `?`, so a filled-in variable never widens a wildcard.
 */
export function policyVariable(key: string): string {
  return `\${${key}}`;
}
