import type { ErrorCode } from "./errors.ts";
import type { PolicyIntent } from "./intent.ts";

/**
 * What the event policy makes of one delivery: intents, or why nothing is done. An ignored delivery
 * is still answered 200 (GitHub must not retry it), with the code and the reason.
 */
export type PolicyDecision = { intents: PolicyIntent[] } | { ignored: string; code: ErrorCode };

export function ignore(code: ErrorCode, reason: string): PolicyDecision {
  return { ignored: reason, code };
}
