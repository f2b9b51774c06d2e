import { COPY_CONDITIONS, SESSION } from "./copy-identity-conditions.ts";
import type { DeployerScope } from "./deployer-scope.ts";
import { DYNAMODB_ITEM_ACTIONS } from "./dynamodb-item-actions.ts";
import type { IamPolicyDocument } from "./iam-policy-document.ts";

/**
 * The permissions boundary of every role a copy creates: the most a copy's code may do at run time,
 * whatever its own policies say. Its principal is the copy's role, whose `environment` tag (set on
 * creation to the deployer session's and never changed after, aws/deployer-copy-statements.ts) is
 * what `${aws:PrincipalTag/environment}` reads here: its own table's items (by name and by tag, as
 * names alone collide across environments) and its own function's logs (by name: log streams
 * carry no tags of their own to check).
 */
export function copyBoundaryPolicy({ partition, region, account }: DeployerScope): IamPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnTableItems",
        Effect: "Allow",
        Action: DYNAMODB_ITEM_ACTIONS,
        // `<table>/index/<name>` too: the wildcard spans the slash.
        Resource: [`arn:${partition}:dynamodb:${region}:${account}:table/${SESSION.environment}-*`],
        Condition: COPY_CONDITIONS.own,
      },
      {
        Sid: "OwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${SESSION.environment}-*:*`],
      },
    ],
  };
}
