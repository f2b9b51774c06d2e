import type { ErrorCode } from "./errors.ts";
import type { PolicyIntent } from "./intent.ts";
import type { RepositoryConfig } from "./repository-config.ts";

/**
 * What the event policy makes of one delivery: intents, or why nothing is done. An ignored delivery
 * is still answered 200 (GitHub must not retry it), with the code and the reason.
 */
export type PolicyDecision = { intents: PolicyIntent[] } | { ignored: string; code: ErrorCode };

export function ignore(code: ErrorCode, reason: string): PolicyDecision {
  return { ignored: reason, code };
}

export interface WebhookEvent {
  /** `X-GitHub-Event` */
  name: string;
  deliveryId: string;
  payload: unknown;
}

/** What every handled event's payload has: the repository it is about and who sent it. */
export interface EventContext {
  event: WebhookEvent;
  repository: RepositoryConfig;
  /** The repository's default branch (the payload's, else the configured one): production. */
  defaultBranch: string;
  /** `sender.login` */
  actor?: string;
}
