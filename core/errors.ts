/**
 * The one error catalogue. Every error stackfork raises on purpose has a stable code; tests and
 * callers match on the code, never on message text. `visible` says whether the message may be shown
 * to users outside the platform team (PR comment, dashboard).
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
  UNAUTHORIZED: {
    status: 401,
    visible: true,
    summary: "The API token is missing or wrong (Authorization: Bearer <token>, or log in to the dashboard).",
  },
  CSRF_INVALID: { status: 403, visible: true, summary: "The form's CSRF token is missing or does not match." },
  QUOTA_EXCEEDED: { status: 409, visible: true, summary: "The owner already has as many sandboxes as allowed." },
  REPOSITORY_NOT_CONFIGURED: {
    status: 400,
    visible: true,
    summary: "The repository is not listed in stackfork's config.",
  },
  UPLOAD_INVALID: {
    status: 400,
    visible: true,
    summary: "The uploaded working tree is not a safe gzip tarball (absolute paths, `..`, links, too big).",
  },
  PAYLOAD_TOO_LARGE: { status: 413, visible: true, summary: "The request body is larger than allowed." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, visible: true, summary: "The request's Content-Type is not accepted here." },
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
