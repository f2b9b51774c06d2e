import { policyVariable } from "./iam-policy-document.ts";

/** The session's own environment, project and repository (the worker's session tags). */
export const SESSION = {
  environment: policyVariable("aws:PrincipalTag/environment"),
  project: policyVariable("aws:PrincipalTag/project"),
  repository: policyVariable("aws:PrincipalTag/repository"),
};

/**
 * Tags that say whose a resource is (stacks/service/aws/build-tags.ts sets them on every resource of
 * a copy): given on creation, to the session's own values, and never taken off or changed after,
 * so a copy can neither retag itself into another environment nor hide from the orphan sweep.
 */
export const IDENTITY_TAG_KEYS = ["environment", "repository", "managed-by"];

/**
 * Conditions of the deployer's statements, by what the request does:
 * - `create`: the request must carry the identity tags, with the session's values
 *   (services authorize tag-on-create with aws:RequestTag);
 * - `own`: the resource must carry the session's environment (aws:ResourceTag);
 * - `tag`: a tagging request on a resource being created (no tags yet) or on one of the session's,
 *   and identity tags, when it sets any, with the session's values.
 */
export const COPY_CONDITIONS = {
  create: {
    StringEquals: {
      "aws:RequestTag/environment": SESSION.environment,
      "aws:RequestTag/repository": SESSION.repository,
      "aws:RequestTag/managed-by": "stackfork",
    },
  },
  own: { StringEquals: { "aws:ResourceTag/environment": SESSION.environment } },
  tag: {
    StringEqualsIfExists: {
      "aws:ResourceTag/environment": SESSION.environment,
      "aws:RequestTag/environment": SESSION.environment,
      "aws:RequestTag/repository": SESSION.repository,
      "aws:RequestTag/managed-by": "stackfork",
    },
  },
};
