import type { Environment } from "../core/environment.ts";
import type { ErrorCode } from "../core/errors.ts";
import { findPendingApproval } from "../core/find-pending-approval.ts";
import { identityOf } from "../core/identity-of.ts";
import type { CommentReaction, IntentCause, PullRequestIntent, PullRequestRef } from "../core/intent.ts";
import { type SubmitIntentDeps, type SubmitResult, submitIntent } from "../worker/submit-intent.ts";
import { findPullRequestEnvironment } from "./find-pull-request-environment.ts";

export interface PullRequestIntentDeps extends SubmitIntentDeps {
  /**
   * Asks GitHub whether `login` may write to `repository` (github/). Without it, a comment's
   * author association (OWNER, MEMBER, COLLABORATOR) and GitHub's own rule that labelling needs
   * triage access are all that is checked.
   */
  checkWriteAccess?: (repository: string, login: string) => Promise<boolean>;
  /**
   * Answers the comment that asked (github/): 👍 done, 👎 refused, 😕 nothing to do. Not awaited by
   * the intake (GitHub waits 10 s for our answer) and never throws.
   */
  reactToComment?: (repository: string, commentId: number, reaction: CommentReaction) => Promise<void>;
}

export type IntakeResult =
  | SubmitResult
  /** A command or an approval refused: answered 200, recorded in the environment's history. */
  | { outcome: "refused"; code: ErrorCode; reason: string; environment?: Environment };

type CommandIntent = Extract<PullRequestIntent, { type: "command" }>;

/** History read to find a fork's pending commit. */
const APPROVAL_HISTORY_LIMIT = 100;

/**
 * Carries out what a comment or a label asks about a pull request: checks the author's write
 * access, finds the pull request's environment, and submits the intent it comes to. Refusals are
 * recorded in the environment's history (when it has one) and answered, never queued.
 */
export async function carryOutPullRequestIntent(
  deps: PullRequestIntentDeps,
  intent: PullRequestIntent,
  now: Date,
): Promise<IntakeResult> {
  if (intent.type === "refuse") return refuse(deps, intent.pullRequest, intent.code, intent.reason, intent.cause, now);
  const denied = await checkAccess(deps, intent);
  if (denied) return refuse(deps, intent.pullRequest, denied.code, denied.reason, intent.cause, now);

  const { command, cause } = intent;
  const number = intent.pullRequest.number;
  if (command.name === "deploy" && intent.via === "label" && intent.identity && intent.commitSha) {
    // The label approves the head commit the labeller saw (the event carries it), whatever came before.
    const identity = intent.identity;
    return submitIntent(
      deps,
      { type: "deploy", identity, commitSha: intent.commitSha, pullRequest: number, cause },
      now,
    );
  }
  const environment = intent.identity
    ? await deps.registry.findEnvironment(intent.identity)
    : await findPullRequestEnvironment(deps.registry, intent.pullRequest);
  if (!environment)
    return {
      outcome: "ignored",
      code: "NOTHING_TO_DO",
      reason: `#${number} has no environment yet (push to its branch, or reopen it)`,
    };
  const identity = identityOf(environment);

  switch (command.name) {
    case "destroy":
      return submitIntent(deps, { type: "destroy", identity, cause }, now);
    case "extend":
      return submitIntent(deps, { type: "extend", identity, hours: command.hours, cause }, now);
    case "redeploy":
      if (environment.kind === "pull_request" && !environment.commitSha)
        return {
          outcome: "ignored",
          code: "NOTHING_TO_DO",
          reason: `${environment.name} was never deployed: /stackfork deploy approves it`,
          environment,
        };
      // A branch environment never deployed has no commit: its branch's head is taken.
      return submitIntent(deps, { type: "deploy", identity, commitSha: environment.commitSha, cause }, now);
    case "deploy":
      if (environment.kind !== "pull_request") return submitIntent(deps, { type: "deploy", identity, cause }, now);
      return approveFork(deps, intent, environment, now);
  }
}

/** `/stackfork deploy` on a fork: approves the commit that waits, unless it was pushed after the comment. */
async function approveFork(
  deps: PullRequestIntentDeps,
  intent: CommandIntent,
  environment: Environment,
  now: Date,
): Promise<IntakeResult> {
  const pending = findPendingApproval(
    await deps.registry.listEvents(environment.id, { limit: APPROVAL_HISTORY_LIMIT }),
  );
  if (!pending) {
    const deployed = environment.commitSha
      ? ` (deployed at ${environment.commitSha.slice(0, 7)}: /stackfork redeploy runs it again)`
      : "";
    return {
      outcome: "ignored",
      code: "NOTHING_TO_DO",
      reason: `nothing awaits approval on #${intent.pullRequest.number}${deployed}`,
      environment,
    };
  }
  // GitHub's clock (the comment) against ours (the hold): a skew can only refuse, never approve unseen code.
  if (intent.requestedAt === undefined || Date.parse(intent.requestedAt) < Date.parse(pending.at)) {
    const reason = `${pending.commitSha.slice(0, 7)} was pushed after this approval was written: approve again`;
    return refuse(deps, intent.pullRequest, "APPROVAL_STALE", reason, intent.cause, now, environment);
  }
  const cause = { ...intent.cause, message: `${intent.cause.message}: approved ${pending.commitSha.slice(0, 7)}` };
  return submitIntent(
    deps,
    {
      type: "deploy",
      identity: identityOf(environment),
      commitSha: pending.commitSha,
      pullRequest: intent.pullRequest.number,
      cause,
    },
    now,
  );
}

/** Fails closed: a permission check that cannot be made refuses the command. */
async function checkAccess(
  deps: PullRequestIntentDeps,
  intent: CommandIntent,
): Promise<{ code: ErrorCode; reason: string } | undefined> {
  if (!deps.checkWriteAccess) return undefined;
  const { repository } = intent.pullRequest;
  try {
    if (await deps.checkWriteAccess(repository, intent.actor)) return undefined;
    return { code: "COMMAND_NOT_ALLOWED", reason: `@${intent.actor} has no write access to ${repository}` };
  } catch {
    return {
      code: "PERMISSION_CHECK_FAILED",
      reason: `could not ask GitHub for @${intent.actor}'s permission: try again`,
    };
  }
}

async function refuse(
  deps: PullRequestIntentDeps,
  pullRequest: PullRequestRef,
  code: ErrorCode,
  reason: string,
  cause: IntentCause,
  now: Date,
  known?: Environment,
): Promise<IntakeResult> {
  const environment = known ?? (await findPullRequestEnvironment(deps.registry, pullRequest));
  if (environment) {
    await deps.registry.appendEvent({
      environmentId: environment.id,
      at: now.toISOString(),
      type: "command_refused",
      message: reason,
      actor: cause.actor,
      deliveryId: cause.deliveryId,
      errorCode: code,
    });
  }
  return { outcome: "refused", code, reason, environment };
}
