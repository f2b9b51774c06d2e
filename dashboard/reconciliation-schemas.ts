/** Schemas of the reconciliation with GitHub (register-reconciliation-routes.ts). */

export const reconcileBodySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    dryRun: { type: "boolean", default: false, description: "decide and report; change nothing, record nothing" },
    repository: { type: "string", maxLength: 200, description: "only this configured repository (owner/name)" },
  },
} as const;

const reconciliationChangeSchema = {
  type: "object",
  required: ["kind", "action", "branch", "reason"],
  properties: {
    kind: {
      type: "string",
      enum: ["branch_deleted", "pull_request_closed", "missed_push", "fork_pushed", "new_branch"],
    },
    action: { type: "string", enum: ["deploy", "destroy", "hold"] },
    environment: { type: "string", description: "absent in a dry run for a branch with no environment yet" },
    branch: { type: "string" },
    pullRequest: { type: "integer" },
    commitSha: { type: "string" },
    reason: { type: "string", description: "as recorded in history, e.g. `reconciled: branch deleted`" },
    outcome: {
      type: "string",
      description: "what submitIntent made of it (queued, held, destroyed, ignored); absent in a dry run",
    },
  },
} as const;

const redeliverySchema = {
  type: "object",
  required: ["hook", "guid", "deliveryId", "event", "outcome"],
  properties: {
    hook: { type: "string", description: "`app`, or `repo:<owner/name>:<hook id>`" },
    guid: { type: "string", description: "X-GitHub-Delivery" },
    deliveryId: { type: "integer" },
    event: { type: "string" },
    outcome: { type: "string", enum: ["requested", "failed", "would request"] },
    askedAt: { type: "string" },
  },
} as const;

const requestCountSchema = {
  type: "object",
  required: ["sent", "notModified"],
  properties: { sent: { type: "integer" }, notModified: { type: "integer", description: "answered 304" } },
} as const;

export const reconciliationReportSchema = {
  type: "object",
  required: ["dryRun", "startedAt", "finishedAt", "repositories", "redeliveries", "requests"],
  properties: {
    dryRun: { type: "boolean" },
    startedAt: { type: "string" },
    finishedAt: { type: "string" },
    repositories: {
      type: "array",
      items: {
        type: "object",
        required: ["repository", "outcome", "unchanged", "changes", "requests"],
        properties: {
          repository: { type: "string" },
          outcome: { type: "string", enum: ["reconciled", "deferred", "failed"] },
          unchanged: { type: "boolean", description: "every list answered 304" },
          changes: { type: "array", items: reconciliationChangeSchema },
          requests: requestCountSchema,
          resumeAt: { type: "string", description: "deferred by a rate limit until then" },
          error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } },
        },
      },
    },
    redeliveries: { type: "array", items: redeliverySchema },
    requests: requestCountSchema,
    rateLimit: {
      type: "object",
      properties: { remaining: { type: "integer" }, resetAt: { type: "string" } },
    },
  },
} as const;

export const reconciliationStatusSchema = {
  type: "object",
  required: ["repositories", "behind", "redeliveries"],
  properties: {
    repositories: {
      type: "array",
      items: {
        type: "object",
        required: ["repository", "lastChanges"],
        properties: {
          repository: { type: "string" },
          lastAttemptAt: { type: "string" },
          lastSuccessAt: { type: "string" },
          lastChangedAt: { type: "string", description: "the last run that found something out of step" },
          lastChanges: { type: "array", items: reconciliationChangeSchema },
          lastError: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } },
          backoffUntil: { type: "string" },
        },
      },
    },
    behind: {
      type: "array",
      description: "environments at a commit that is not their branch's head, as last read from GitHub",
      items: {
        type: "object",
        required: ["environment", "headSha"],
        properties: {
          environment: { type: "string" },
          commitSha: { type: "string" },
          headSha: { type: "string" },
          seenAt: { type: "string" },
        },
      },
    },
    redeliveries: { type: "array", items: redeliverySchema },
  },
} as const;
