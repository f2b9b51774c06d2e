import type { EnvironmentIdentity } from "./environment.ts";

/** Why something was asked for: carried into history and jobs. */
export interface IntentCause {
  actor?: string;
  deliveryId?: string;
  message: string;
}

/** What an event (or a person) asks stackfork to do. */
export type Intent =
  | {
      type: "deploy";
      identity: EnvironmentIdentity;
      /** The commit to deploy; absent when only the ref is known (a `create` event): resolved at deploy. */
      commitSha?: string;
      cause: IntentCause;
    }
  | { type: "destroy"; identity: EnvironmentIdentity; cause: IntentCause };
