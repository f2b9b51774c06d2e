/**
 * JSON schemas of the API: fastify validates requests with them, and @fastify/swagger turns the
 * same objects into /api/openapi.json, so the document cannot drift from what is enforced.
 * Response schemas only document (the API scope serializes with JSON.stringify: nothing dropped).
 */
const statuses = ["queued", "deploying", "ready", "failed", "destroying", "destroyed", "awaiting_approval"];
const kinds = ["branch", "pull_request", "sandbox"];

export const environmentStatuses = statuses as readonly string[];
export const environmentKinds = kinds as readonly string[];

const dateTime = { type: "string", format: "date-time" } as const;

export const environmentSchema = {
  type: "object",
  description: "The Environment JSON of the external contract.",
  required: ["id", "name", "kind", "repository", "branch", "status", "createdAt", "updatedAt"],
  properties: {
    id: { type: "string" },
    name: { type: "string", description: "Pulumi stack name and prefix of every resource name." },
    kind: { type: "string", enum: kinds },
    repository: { type: "string", description: "owner/name" },
    branch: { type: "string", description: "The branch; for a sandbox, the ref it runs." },
    pullRequest: { type: "integer" },
    owner: { type: "string", description: "A sandbox's owner (GitHub login)." },
    status: { type: "string", enum: statuses },
    url: { type: "string", description: "The preview URL." },
    commitSha: { type: "string", description: "A git SHA, or upload-<16 hex> for an uploaded tree." },
    createdAt: dateTime,
    updatedAt: dateTime,
    expiresAt: dateTime,
    lastError: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
    lastDeployMs: { type: "integer", description: "How long the last deploy took, in milliseconds." },
  },
} as const;

export const historyEventSchema = {
  type: "object",
  required: ["id", "environmentId", "at", "type", "message"],
  properties: {
    id: { type: "integer" },
    environmentId: { type: "string" },
    at: dateTime,
    type: { type: "string" },
    message: { type: "string" },
    actor: { type: "string" },
    deliveryId: { type: "string" },
    jobId: { type: "string" },
    commitSha: { type: "string" },
    durationMs: { type: "integer" },
    errorCode: { type: "string" },
  },
} as const;

export const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "Stable: see core/errors.ts." },
        message: { type: "string", description: "What to do about it, for a person." },
      },
    },
  },
} as const;

/** A mutation's answer: the environment, the job it queued, or why none was needed. */
export const actionResultSchema = {
  ...environmentSchema,
  description: "The environment, plus `jobId` when a job was queued, or `ignored` (why) when none was needed.",
  properties: {
    ...environmentSchema.properties,
    jobId: { type: "string" },
    ignored: { type: "string" },
  },
} as const;

const repository = {
  type: "string",
  pattern: "^[\\w.-]+/[\\w.-]+$",
  maxLength: 200,
  description: "owner/name of a configured repository",
} as const;
const owner = {
  type: "string",
  pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$",
  description: "a GitHub login: letters, digits and dashes, at most 39",
} as const;
const ref = {
  type: "string",
  minLength: 1,
  maxLength: 255,
  description: "a branch, or a commit (7 to 40 hex digits), of the repository; default: its default branch",
} as const;

const uploadId = {
  type: "string",
  pattern: "^upload-[0-9a-f]{16}$",
  description:
    "an upload id of POST /api/uploads whose tarball was PUT (servers that keep uploads in S3); not with `ref`",
} as const;

export const sandboxBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["repository", "owner"],
  properties: { repository, owner, ref, uploadId },
} as const;

export const uploadConfigSchema = {
  type: "object",
  description: "How this server takes a working tree (`stackfork sandbox up --dir` asks first).",
  required: ["upload", "maxBytes"],
  properties: {
    upload: {
      type: "string",
      enum: ["body", "presigned"],
      description:
        "`body`: POST the gzip tarball to /api/environments. `presigned`: POST /api/uploads, PUT the tarball to " +
        "its `uploadUrl`, then POST /api/environments { repository, owner, uploadId }.",
    },
    maxBytes: { type: "integer", description: "Largest tarball, compressed (uploadMaxMegabytes)." },
  },
} as const;

export const uploadBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["repository", "owner", "sha256", "bytes"],
  properties: {
    repository,
    owner,
    sha256: { type: "string", pattern: "^[0-9a-fA-F]{64}$", description: "SHA-256 of the gzip tarball, in hex" },
    bytes: { type: "integer", minimum: 1, description: "the tarball's exact length; at most maxBytes" },
  },
} as const;

export const uploadTicketSchema = {
  type: "object",
  description:
    "Where to PUT the tarball: exactly these bytes, with exactly these headers (they are signed), before `expiresAt`.",
  required: ["uploadId", "method", "uploadUrl", "headers", "expiresAt", "alreadyUploaded"],
  properties: {
    uploadId: { type: "string", description: "upload-<16 hex of the sha256>: the sandbox's commitSha" },
    method: { type: "string", enum: ["PUT"] },
    uploadUrl: { type: "string", description: "a presigned S3 URL" },
    headers: {
      type: "object",
      description: "content-length and x-amz-checksum-sha256: S3 refuses other bytes",
      additionalProperties: { type: "string" },
    },
    expiresAt: dateTime,
    alreadyUploaded: { type: "boolean", description: "the same bytes are in the bucket already: no PUT needed" },
  },
} as const;

export const sandboxQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: { repository, owner },
} as const;

export const extendBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["hours"],
  properties: { hours: { type: "integer", minimum: 1, maximum: 720, description: "hours to add, 1 to 720" } },
} as const;

export const idParamsSchema = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", maxLength: 100, description: "the environment's id (its name)" } },
} as const;

export const errorResponses = {
  400: { ...errorSchema, description: "Bad input: `error.message` says what to fix." },
  401: { ...errorSchema, description: "No or wrong `Authorization: Bearer <token>`." },
  404: { ...errorSchema, description: "No such environment." },
} as const;

export const bearerSecurity = [{ bearerAuth: [] }];

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

/** `GET /api/orphans`' `resources`: what the Tagging API found tagged for an environment that is not live. */
export const cloudOrphansSchema = {
  type: "array",
  description: "empty when no repository has target aws",
  items: {
    type: "object",
    required: ["arn", "environment", "type", "repository"],
    properties: {
      arn: { type: "string" },
      environment: { type: "string", description: "its environment tag: destroyed, or never registered" },
      type: { type: "string", description: "<service>:<resource type> from the ARN, e.g. dynamodb:table" },
      repository: { type: "string", description: "its repository tag" },
    },
  },
} as const;
