import { DEPLOYER_SESSION_TAG_KEYS } from "./deployer-names.ts";
import type { IamPolicyDocument } from "./iam-policy-document.ts";

/**
 * Who may assume the deployer role: only `trusted` (the worker's role on AWS; the account's root,
 * that is whoever the account's own policies allow, for a bootstrapped setup), and only with the
 * session tags that say which environment the session is for. A session without them, or with any
 * other tag, is refused: the role's policy would otherwise read empty tags.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
 */
export function deployerTrustPolicy(trusted: readonly string[]): IamPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeForOneEnvironment",
        Effect: "Allow",
        Principal: { AWS: [...trusted] },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          Null: Object.fromEntries(DEPLOYER_SESSION_TAG_KEYS.map((key) => [`aws:RequestTag/${key}`, "false"])),
          "ForAllValues:StringEquals": { "aws:TagKeys": [...DEPLOYER_SESSION_TAG_KEYS] },
        },
      },
    ],
  };
}
