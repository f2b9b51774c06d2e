import { type ErrorCode, errorCatalogue, isStackforkError } from "../core/errors.ts";

/** What a person (a page, an API answer) is told of an error. */
export interface UserFacingError {
  status: number;
  code: string;
  message: string;
}

/**
 * The one rule for what a user sees of an error, pages and API alike: a code of ours shows its
 * message only when the catalogue marks it `visible`, else the code's summary; fastify's own errors
 * about the request (validation, body limits, media types: status < 500) show their message; any
 * other error shows nothing of itself (INTERNAL), and the caller logs it.
 */
export function describeErrorForUser(err: unknown): UserFacingError {
  if (isStackforkError(err)) {
    return {
      status: err.status,
      code: err.code,
      message: err.visible ? err.message : errorCatalogue[err.code].summary,
    };
  }
  const e = (typeof err === "object" && err !== null ? err : {}) as {
    statusCode?: number;
    code?: string;
    validation?: unknown;
    message?: string;
  };
  const status = typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  if (status >= 500 || typeof e.message !== "string")
    return { status, code: "INTERNAL", message: errorCatalogue.INTERNAL.summary };
  return { status, code: e.validation ? "INVALID_INPUT" : codeOfStatus(status, e.code), message: e.message };
}

/** Fastify's own errors (FST_ERR_...) as codes of our catalogue, by status. */
function codeOfStatus(status: number, fastifyCode: string | undefined): ErrorCode | string {
  switch (status) {
    case 400:
      return "INVALID_INPUT";
    case 401:
      return "UNAUTHORIZED";
    case 404:
      return "NOT_FOUND";
    case 413:
      return "PAYLOAD_TOO_LARGE";
    case 415:
      return "UNSUPPORTED_MEDIA_TYPE";
    default:
      return fastifyCode ?? "INVALID_INPUT";
  }
}
