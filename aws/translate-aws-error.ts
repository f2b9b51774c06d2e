import { isStackforkError, StackforkError } from "../core/errors.ts";

/** Error names AWS's services give for the same few situations. */
const THROTTLED = new Set([
  "ThrottlingException",
  "Throttling",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "SlowDown",
  "TooManyRequestsException",
  "AWS.SimpleQueueService.RequestThrottled",
]);
const DENIED = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
]);
const MISSING = new Set([
  "ResourceNotFoundException",
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "NoSuchBucket",
  "NotFoundException",
]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN", "TimeoutError"]);

/**
 * Translates an error of the AWS SDK into one of our codes, once, at the adapter boundary; `what`
 * names the call and the resource ("PutItem on stackfork-registry"), so the message says what failed.
 * Conditional-check failures are not translated here: each adapter reads them as its own outcome.
 */
export function translateAwsError(err: unknown, what: string): StackforkError {
  if (isStackforkError(err)) return err;
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? e.code ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const details = { awsError: name, ...(status !== undefined && { httpStatus: status }) };
  const said = `${what}: ${name}${e.message ? ` (${e.message})` : ""}`;
  if (THROTTLED.has(name)) {
    return new StackforkError("AWS_THROTTLED", `${said}: still throttled after the SDK's retries`, {
      cause: err,
      details,
    });
  }
  if (DENIED.has(name) || status === 403) {
    return new StackforkError("AWS_ACCESS_DENIED", `${said}: check the credentials and the role's permissions`, {
      cause: err,
      details,
    });
  }
  if (MISSING.has(name)) {
    return new StackforkError(
      "AWS_RESOURCE_MISSING",
      `${said}: run \`stackfork aws bootstrap\` (or deploy the platform)`,
      {
        cause: err,
        details,
      },
    );
  }
  if (NETWORK.has(name) || NETWORK.has(e.code ?? "") || (status !== undefined && status >= 500)) {
    return new StackforkError("AWS_UNAVAILABLE", `${said}: is AWS_ENDPOINT_URL / AWS_REGION right?`, {
      cause: err,
      details,
    });
  }
  return new StackforkError("AWS_REQUEST_FAILED", said, { cause: err, details });
}

/** True for DynamoDB's "the condition did not hold" (a plain write or one item of a transaction). */
export function isConditionFailed(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name === "ConditionalCheckFailedException") return true;
  return (
    e?.name === "TransactionCanceledException" &&
    (e.CancellationReasons ?? []).some((reason) => reason.Code === "ConditionalCheckFailed")
  );
}
