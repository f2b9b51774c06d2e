/**
 * The one error catalogue. Every error stackfork raises on purpose has a stable code; tests and
 * callers match on the code, never on message text. `visible` says whether the message may be shown
 * to users outside the platform team (PR comment, dashboard). The webhook's answers use the same
 * codes, including the 200 answers that say why a delivery was not acted on.
 */
export const errorCatalogue = {
  CONFIG_INVALID: { status: 500, visible: false, summary: "The configuration (env + file) is invalid." },
  PULUMI_CLI_NOT_FOUND: {
    status: 500,
    visible: false,
    summary: "No pulumi CLI of the pinned version was found (PULUMI_CLI, PATH, or the cache).",
  },
  PULUMI_CLI_VERSION_MISMATCH: {
    status: 500,
    visible: false,
    summary: "The pulumi CLI and @pulumi/pulumi are not at the same version.",
  },
  PULUMI_CLI_BUILD_FAILED: { status: 500, visible: false, summary: "Building the pulumi CLI with Go failed." },
  STACK_LOCKED: {
    status: 409,
    visible: true,
    summary: "Another update is running on this stack (or a crashed one left its lock).",
  },
  STACK_NOT_FOUND: { status: 404, visible: true, summary: "The Pulumi stack does not exist." },
  STACK_ALREADY_EXISTS: { status: 409, visible: true, summary: "The Pulumi stack already exists." },
  DEPLOY_FAILED: { status: 500, visible: true, summary: "The Pulumi update failed." },
  DEPLOY_CANCELLED: { status: 409, visible: true, summary: "The update was cancelled before it finished." },
  INVALID_TRANSITION: { status: 409, visible: false, summary: "An environment status change that is not allowed." },
  INVALID_INPUT: { status: 400, visible: true, summary: "The input is malformed." },
  NOT_FOUND: { status: 404, visible: true, summary: "No such resource." },
  LEASE_LOST: { status: 409, visible: false, summary: "Another worker took this job after its lease expired." },
  NAME_TAKEN: { status: 409, visible: false, summary: "No unique name could be found for the environment." },
  DEPENDENCIES_FAILED: { status: 500, visible: true, summary: "Installing the stack project's dependencies failed." },
  SOURCE_NOT_FOUND: { status: 422, visible: true, summary: "The commit could not be found in the source." },
  DEPLOYER_ROLE_REQUIRED: {
    status: 500,
    visible: true,
    summary:
      "The job needs AWS and no deployer role is configured: stackfork does not hand its own credentials to branch code.",
  },
  SANDBOX_FAILED: { status: 500, visible: true, summary: "The runner's sandbox could not be set up for this job." },

  // Webhook deliveries refused before the event policy looks at them (HTTP answer = status).
  SIGNATURE_MISSING: { status: 401, visible: true, summary: "The delivery has no X-Hub-Signature-256 header." },
  SIGNATURE_INVALID: {
    status: 401,
    visible: true,
    summary: "X-Hub-Signature-256 matches none of the webhook secrets for these exact bytes.",
  },
  HEADERS_MISSING: { status: 400, visible: true, summary: "X-GitHub-Event or X-GitHub-Delivery is missing." },
  PAYLOAD_MALFORMED: { status: 400, visible: true, summary: "The signed body is not a JSON object." },
  METHOD_NOT_ALLOWED: { status: 405, visible: true, summary: "The webhook intake only takes POST." },

  // Deliveries acknowledged and not acted on: answered 200 by the webhook (GitHub must not retry),
  // the JSON carries the code and the reason. REPOSITORY_NOT_CONFIGURED (below) is answered so too.
  DELIVERY_REPLAYED: { status: 200, visible: true, summary: "This X-GitHub-Delivery id was already received." },
  SIGNATURE_REPLAYED: {
    status: 200,
    visible: true,
    summary:
      "This X-Hub-Signature-256 was already received under another X-GitHub-Delivery id (kept 72 h): a captured delivery sent again.",
  },
  PING: { status: 200, visible: true, summary: "GitHub's ping: the webhook is set up." },
  EVENT_NOT_HANDLED: { status: 200, visible: true, summary: "stackfork does not act on this event." },
  ACTION_NOT_HANDLED: { status: 200, visible: true, summary: "stackfork does not act on this action of the event." },
  PAYLOAD_INCOMPLETE: { status: 200, visible: true, summary: "The payload lacks a field the policy needs." },
  NOT_A_BRANCH: { status: 200, visible: true, summary: "The ref is a tag (or not a branch): tags are not deployed." },
  DEFAULT_BRANCH: { status: 200, visible: true, summary: "The default branch is production: it is not previewed." },
  PULL_REQUESTS_DISABLED: {
    status: 200,
    visible: true,
    summary: "The repository's pullRequestEnvironments option is off.",
  },
  DRAFT_PULL_REQUEST: { status: 200, visible: true, summary: "Drafts are not deployed (deployDraftPullRequests off)." },
  BRANCH_KEPT: {
    status: 200,
    visible: true,
    summary: "A closed pull request's branch environment is kept (keepBranchEnvironmentOnClose).",
  },
  NOT_A_PULL_REQUEST: { status: 200, visible: true, summary: "The comment is on an issue, not a pull request." },
  COMMENT_BY_BOT: { status: 200, visible: true, summary: "Comments by bots are not read as commands." },
  NO_COMMAND: { status: 200, visible: true, summary: "The comment holds no /stackfork command." },
  APPROVAL_REQUIRED: {
    status: 200,
    visible: true,
    summary:
      "A fork's pull request waits for someone with write access: /stackfork deploy <sha> of the commit that waits, or the approval label.",
  },
  NOTHING_TO_DO: { status: 200, visible: true, summary: "The environment is already in the state asked for." },
  ALREADY_DEPLOYED: {
    status: 200,
    visible: true,
    summary: "That commit is already deployed or queued for the environment.",
  },

  // Commands (comment or label) refused: answered 200 and recorded in the environment's history.
  COMMAND_NOT_ALLOWED: {
    status: 403,
    visible: true,
    summary: "Only people with write access to the repository may run /stackfork commands or approve forks.",
  },
  COMMAND_INVALID: {
    status: 400,
    visible: true,
    summary: "The /stackfork command's argument is malformed or too large.",
  },
  APPROVAL_STALE: {
    status: 409,
    visible: true,
    summary:
      "A commit was pushed to the fork after the approval was written: approve the commit that waits by name (/stackfork deploy <sha>).",
  },
  APPROVAL_COMMIT_MISMATCH: {
    status: 409,
    visible: true,
    summary:
      "/stackfork deploy <sha> names a commit that is not the one awaiting approval, or a prefix more than one of the fork's commits share: approve the commit that waits (the sticky comment names it).",
  },
  PERMISSION_CHECK_FAILED: {
    status: 503,
    visible: true,
    summary: "GitHub could not be asked for the commenter's permission: try again.",
  },
  ARCHIVE_UNSAFE: {
    status: 422,
    visible: true,
    summary: "A source archive has an entry that would land outside its folder (absolute, `..`, a link out, a device).",
  },
  ARCHIVE_TOO_LARGE: {
    status: 413,
    visible: true,
    summary: "A source archive is over the size or entry-count limit.",
  },
  ARCHIVE_INVALID: { status: 422, visible: true, summary: "A source archive is not a readable tar (or tar.gz)." },
  GITHUB_UNAVAILABLE: {
    status: 503,
    visible: true,
    summary: "GitHub could not be reached, or kept failing after retries (5xx, rate limit, network).",
  },
  GITHUB_RATE_LIMITED: {
    status: 503,
    visible: true,
    summary:
      "GitHub's rate limit (primary or secondary) was reached or is running low: the reconciliation stops and resumes after it resets.",
  },
  UNAUTHORIZED: {
    status: 401,
    visible: true,
    summary: "The API token is missing or wrong (Authorization: Bearer <token>, or log in to the dashboard).",
  },
  FORBIDDEN: {
    status: 403,
    visible: true,
    summary:
      "Signed in, but not allowed: changing an environment needs write access to its repository (or a token with the write scope); orphans, reconciliation and tokens need admin.",
  },
  CONFLICT: { status: 409, visible: true, summary: "A live resource of that name already exists (a named token)." },
  CSRF_INVALID: { status: 403, visible: true, summary: "The form's CSRF token is missing or does not match." },
  HOST_NOT_ALLOWED: {
    status: 421,
    visible: true,
    summary:
      "The Host header names none of the addresses this server serves (DNS rebinding?): reads without the token are open only under localhost, the server's own address, or a name in allowedHosts.",
  },
  PREVIEW_NOT_READY: {
    status: 503,
    visible: true,
    summary: "The preview's environment is not ready (queued, deploying, failed, awaiting approval, destroying).",
  },
  COPY_NOT_ANSWERING: { status: 502, visible: true, summary: "The preview's copy did not answer the router." },
  SIGN_IN_OFF: {
    status: 404,
    visible: true,
    summary: "Sign-in with GitHub is off here: set GITHUB_OAUTH_CLIENT_ID and GITHUB_OAUTH_CLIENT_SECRET.",
  },
  SIGN_IN_REFUSED: {
    status: 403,
    visible: true,
    summary:
      "Sign-in with GitHub was refused: its state is not this browser's, GitHub refused the code (used already, expired), or the person declined; start again.",
  },
  SHARE_LINK_REQUIRED: {
    status: 403,
    visible: true,
    summary: "The repository's previews open only with a share link (previewAccess: link), and none valid came.",
  },
  QUOTA_EXCEEDED: { status: 409, visible: true, summary: "The owner already has as many sandboxes as allowed." },
  REPOSITORY_NOT_CONFIGURED: {
    status: 400,
    visible: true,
    summary: "The repository is not listed in stackfork's config.",
  },
  UPLOAD_INVALID: {
    status: 400,
    visible: true,
    summary: "The uploaded working tree cannot be deployed: it lacks the repository's stack project (stackPath).",
  },
  PRESIGNED_UPLOAD_REQUIRED: {
    status: 415,
    visible: true,
    summary:
      "This server keeps uploads in S3: POST /api/uploads for a presigned URL, PUT the tarball there, then POST /api/environments { uploadId }.",
  },
  UPLOAD_MISMATCH: {
    status: 422,
    visible: true,
    summary: "The uploaded object is not the bytes its upload id was signed for (size or SHA-256): upload it again.",
  },
  PAYLOAD_TOO_LARGE: { status: 413, visible: true, summary: "The request body is larger than allowed." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, visible: true, summary: "The request's Content-Type is not accepted here." },

  // AWS, translated once in aws/translate-aws-error.ts (the SDK has already retried what it retries).
  AWS_THROTTLED: {
    status: 503,
    visible: false,
    summary: "AWS kept throttling the request after the SDK's retries (DynamoDB, SQS, S3 or KMS).",
  },
  AWS_ACCESS_DENIED: { status: 500, visible: false, summary: "AWS refused the call: the role lacks a permission." },
  AWS_RESOURCE_MISSING: {
    status: 500,
    visible: false,
    summary:
      "A table, queue, bucket or key stackfork needs does not exist: run `stackfork aws bootstrap` (or the platform program).",
  },
  AWS_UNAVAILABLE: {
    status: 503,
    visible: false,
    summary: "The AWS endpoint could not be reached or kept answering 5xx (AWS_REGION, AWS_ENDPOINT_URL).",
  },
  AWS_REQUEST_FAILED: { status: 500, visible: false, summary: "AWS refused the request for another reason." },
  INTERNAL: {
    status: 500,
    visible: false,
    summary: "Something went wrong on the server: its log says what (an error stackfork did not expect).",
  },
  DEPLOY_TIMEOUT: {
    status: 504,
    visible: true,
    summary: "The engine was stopped before the worker's deadline (Lambda's 15 minutes); the job is handed back once.",
  },
  TEMPLATE_INVALID: {
    status: 422,
    visible: true,
    summary: "The branch's CloudFormation template cannot be read, or names a local path that is not in the tree.",
  },
  FIXED_NAMES: {
    status: 422,
    visible: true,
    summary:
      "The template gives resources hard-coded physical names, which would collide between copies and with production (allowFixedNames to deploy anyway).",
  },
  PARAMETER_UNAVAILABLE: {
    status: 422,
    visible: true,
    summary:
      "A parameter has no value to copy (NoEcho in the production stack, or never copied): give it in an override (cloudformation.parameters, overrides, .stackfork/config.json, stackfork config set), or a Default in the template.",
  },
  BUILD_FAILED: {
    status: 500,
    visible: true,
    summary: "The repository's build command (cloudformation.build) failed.",
  },
  CLOUDFORMATION_FAILED: {
    status: 500,
    visible: true,
    summary:
      "CloudFormation refused or rolled back the copy's stack; the message names the failing resource and its reason.",
  },
  CLOUDFORMATION_DELETE_FAILED: {
    status: 500,
    visible: true,
    summary:
      "CloudFormation could not delete the copy's stack (DELETE_FAILED); the message lists the resources that remain.",
  },
  COPY_CONFIG_UNAVAILABLE: {
    status: 422,
    visible: true,
    summary:
      "A copy's config cannot be assembled: the template (a stack of the project in stackfork's backend, or Pulumi.<stack>.yaml in the branch) cannot be read, or the branch's .stackfork/config.json is invalid.",
  },
  SEED_FAILED: {
    status: 500,
    visible: true,
    summary:
      "The copy deployed, but its seed step (command or items) failed: the copy stays up; the job's log says why.",
  },
  JOB_LOST: {
    status: 500,
    visible: true,
    summary:
      "The environment was left queued, deploying or destroying with no job (a crash between two writes): its job was queued again, or, when the approved commit was not known, it awaits approval again.",
  },
  PRICE_REGION_MISSING: {
    status: 500,
    visible: false,
    summary:
      "The price table (cost/price-table.json) has no prices for the region a copy runs in: add the region with `npm run cost:refresh-prices` rather than guess.",
  },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export interface StackforkErrorOptions {
  cause?: unknown;
  /** Extra structured facts for logs (never secrets). */
  details?: Record<string, unknown>;
}

export class StackforkError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly visible: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: StackforkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StackforkError";
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.visible = errorCatalogue[code].visible;
    this.details = options.details;
  }
}

export function isStackforkError(err: unknown, code?: ErrorCode): err is StackforkError {
  return err instanceof StackforkError && (code === undefined || err.code === code);
}
