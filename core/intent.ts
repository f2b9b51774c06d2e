import type { EnvironmentIdentity } from "./environment.ts";
import type { Via } from "./principal.ts";

/** Why something was asked for: carried into history and jobs. */
export interface IntentCause {
  actor?: string;
  /** How it was asked (issue 22): `github` for a webhook's sender, else the page, the API or the CLI. */
  via?: Via;
  deliveryId?: string;
  message: string;
}

/** A pull request of a configured repository, by number (a comment names no branch). */
export interface PullRequestRef {
  /** `owner/name`, as configured */
  repository: string;
  number: number;
  /** The comment that asked, answered with a reaction once the command is carried out or refused. */
  commentId?: number;
}

/** How a `/stackfork` comment is answered on GitHub: done, refused, nothing to do. */
export type CommentReaction = "+1" | "-1" | "confused";

/** A `/stackfork` command, parsed (see core/parse-comment-command.ts). */
export type CommentCommand =
  | {
      name: "deploy";
      /**
       * A prefix (7 to 40 hex digits, lowercase) of the commit a fork's approval names:
       * `/stackfork deploy <sha>` approves that commit only.
       */
      commit?: string;
    }
  | { name: "redeploy" }
  /** Run the repository's seed step again (issue 19), with a redeploy of the environment's commit. */
  | { name: "reseed" }
  | { name: "destroy" }
  | { name: "extend"; hours: number };

/**
 * What an event (or a person) asks stackfork to do to one environment, known by its identity.
 * `intake/submit-intent.ts` carries these out, whoever asks (webhook, API, CLI).
 */
export type Intent =
  | {
      type: "deploy";
      identity: EnvironmentIdentity;
      /** The commit to deploy; absent when only the ref is known (a `create` event): resolved at deploy. */
      commitSha?: string;
      /**
       * Link the environment to this pull request (a same-repository pull request's head branch).
       * Such a deploy only links when the commit is already deployed or queued: the push that made
       * it has (or will have) the job.
       */
      pullRequest?: number;
      cause: IntentCause;
    }
  | { type: "destroy"; identity: EnvironmentIdentity; cause: IntentCause }
  /** Push the expiry back by `hours` (from now when it has already passed); no job. */
  | { type: "extend"; identity: EnvironmentIdentity; hours: number; cause: IntentCause }
  /**
   * A fork's pull request: record the environment as `awaiting_approval` at this commit, no job.
   * With `keepApproval`, an environment already approved (deployed or deploying) deploys the
   * commit instead (the repository does not ask to re-approve fork pushes).
   */
  | {
      type: "hold";
      identity: Extract<EnvironmentIdentity, { kind: "pull_request" }>;
      commitSha: string;
      keepApproval: boolean;
      cause: IntentCause;
    };

/**
 * What a comment or a label asks about a pull request. Its environment is found, and the author's
 * write access checked, at intake (intake/carry-out-pull-request-intent.ts), which turns it into an
 * `Intent` or a refusal.
 */
export type PullRequestIntent =
  | {
      type: "command";
      pullRequest: PullRequestRef;
      command: CommentCommand;
      /** Who asked: the comment's author, the label's adder. */
      actor: string;
      via: "comment" | "label";
      /** When the comment was written (ISO 8601): an approval older than the fork's last push is stale. */
      requestedAt?: string;
      /** The head commit the approver saw (a label event carries it): approve exactly that one. */
      commitSha?: string;
      /** The environment, when the event names it (a label on a fork's pull request). */
      identity?: EnvironmentIdentity;
      cause: IntentCause;
    }
  | {
      /** Refused by the policy itself (e.g. the author has no write access): recorded, nothing done. */
      type: "refuse";
      pullRequest: PullRequestRef;
      code: "COMMAND_NOT_ALLOWED" | "COMMAND_INVALID";
      reason: string;
      cause: IntentCause;
    };

/** What the event policy decides: either kind. */
export type PolicyIntent = Intent | PullRequestIntent;
