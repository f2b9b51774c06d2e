import { setTimeout as sleep } from "node:timers/promises";
import { isConditionFailed, translateAwsError } from "./translate-aws-error.ts";

/**
 * A conditional write's outcome: `done` with the call's answer, or `failed` with a transaction's
 * cancellation codes, one per item (`"ConditionalCheckFailed"` for the culprits, `"None"` for the others;
 * empty for a single-item write).
 */
export type ConditionalAnswer<T> = { done: T } | { failed: string[] };

export interface DynamoDbSender {
  /** Runs one call; every AWS error, a failed condition included, leaves as one of our codes. */
  send<T>(what: string, call: () => Promise<T>): Promise<T>;
  /** The same, but a failed condition is an answer (the caller's own outcome), not an error. */
  sendConditional<T>(what: string, call: () => Promise<T>): Promise<ConditionalAnswer<T>>;
}

/**
 * A transaction conflicts with another one in flight on one of its items (the counts item is written
 * by every creation and status change). The SDK does not retry these: DynamoDB cancelled the whole
 * transaction, so sending it again is safe.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling
 */
const CONFLICT_ATTEMPTS = 6;
const CONFLICT_BACKOFF_MS = 15;

/** The one place the registry's DynamoDB calls are sent: conflicts retried, errors translated. */
export function createDynamoDbSender(tableName: string): DynamoDbSender {
  async function retryingConflicts<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (attempt >= CONFLICT_ATTEMPTS || !isTransactionConflict(err)) throw err;
        await sleep(CONFLICT_BACKOFF_MS * 2 ** attempt * (0.5 + Math.random()));
      }
    }
  }
  return {
    async send(what, call) {
      try {
        return await retryingConflicts(call);
      } catch (err) {
        throw translateAwsError(err, `${what} on ${tableName}`);
      }
    },
    async sendConditional(what, call) {
      try {
        return { done: await retryingConflicts(call) };
      } catch (err) {
        if (isConditionFailed(err)) return { failed: cancellationCodes(err) };
        throw translateAwsError(err, `${what} on ${tableName}`);
      }
    },
  };
}

function isTransactionConflict(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name === "TransactionConflictException") return true;
  return (
    e?.name === "TransactionCanceledException" &&
    (e.CancellationReasons ?? []).some((reason) => reason.Code === "TransactionConflict") &&
    !isConditionFailed(err)
  );
}

function cancellationCodes(err: unknown): string[] {
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? "None");
}
