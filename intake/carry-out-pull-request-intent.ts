import { decideForkApproval } from "../core/decide-fork-approval.ts";
import type { Environment } from "../core/environment.ts";
import type { ErrorCode } from "../core/errors.ts";
import { findPendingApproval } from "../core/find-pending-approval.ts";
import { identityOf } from "../core/identity-of.ts";
import type { CommentReaction, IntentCause, PullRequestIntent, PullRequestRef } from "../core/intent.ts";
import { askForReseed } from "./ask-for-reseed.ts";
import { findPullRequestEnvironment } from "./find-pull-request-environment.ts";
import { type SubmitIntentDeps, type SubmitResult, submitIntent } from "./submit-intent.ts";

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
    const result = await submitIntent(
      deps,
      { type: "deploy", identity, commitSha: intent.commitSha, pullRequest: number, cause },
      now,
    );
    await tellApproved(deps, result, intent.commitSha, cause);
    return result;
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
    case "reseed":
    case "redeploy":
      if (environment.kind === "pull_request" && !environment.commitSha)
        return {
          outcome: "ignored",
          code: "NOTHING_TO_DO",
          reason: `${environment.name} was never deployed: /stackfork deploy approves it`,
          environment,
        };
      // The deploy's seed step sees the request (core/decide-seed.ts) and runs again.
      if (command.name === "reseed") await askForReseed(deps.registry, environment, intent.actor, now, "github");
      // A branch environment never deployed has no commit: its branch's head is taken.
      return submitIntent(deps, { type: "deploy", identity, commitSha: environment.commitSha, cause }, now);
    case "deploy":
      if (environment.kind === "pull_request") return approveFork(deps, intent, environment, now);
      if (command.commit !== undefined) {
        const reason = `/stackfork deploy ${command.commit}: a commit is named only to approve a fork's pull request; this one deploys its branch's head with /stackfork deploy`;
        return refuse(deps, intent.pullRequest, "COMMAND_INVALID", reason, cause, now, environment);
      }
      return submitIntent(deps, { type: "deploy", identity, cause }, now);
  }
}

/**
 * `/stackfork deploy [<sha>]` on a fork: approves exactly the commit the approver saw
 * (core/decide-fork-approval.ts). A refusal tells GitHub again which commit waits and how to approve it.
 */
async function approveFork(
  deps: PullRequestIntentDeps,
  intent: CommandIntent,
  environment: Environment,
  now: Date,
): Promise<IntakeResult> {
  const events = await deps.registry.listEvents(environment.id, { limit: APPROVAL_HISTORY_LIMIT });
  const decision = decideForkApproval(events, {
    commit: intent.command.name === "deploy" ? intent.command.commit : undefined,
    requestedAt: intent.requestedAt,
  });
  if (decision.type === "nothing") {
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
  if (decision.type === "refuse") {
    const refused = await refuse(
      deps,
      intent.pullRequest,
      decision.code,
      decision.reason,
      intent.cause,
      now,
      environment,
    );
    if (environment.status === "awaiting_approval") {
      await deps.notifier
        ?.notify({ environment, phase: "awaiting_approval", commitSha: decision.waiting, reason: decision.reason })
        .catch(() => undefined); // a notifier must not throw; if one does, the refusal stands
    }
    return refused;
  }
  const cause = { ...intent.cause, message: `${intent.cause.message}: approved ${decision.commitSha.slice(0, 7)}` };
  const result = await submitIntent(
    deps,
    {
      type: "deploy",
      identity: identityOf(environment),
      commitSha: decision.commitSha,
      pullRequest: intent.pullRequest.number,
      cause,
    },
    now,
  );
  await tellApproved(deps, result, decision.commitSha, cause);
  return result;
}

/**
 * The sticky comment says which commit an approval approved (a label approves the head it saw,
 * maybe not the newest), and which later one still waits, if any.
 */
async function tellApproved(
  deps: PullRequestIntentDeps,
  result: IntakeResult,
  commitSha: string,
  cause: IntentCause,
): Promise<void> {
  if (result.outcome !== "queued" || !deps.notifier) return;
  const { environment } = result;
  const pending = findPendingApproval(
    await deps.registry.listEvents(environment.id, { limit: APPROVAL_HISTORY_LIMIT }),
  );
  await deps.notifier
    .notify({
      environment,
      phase: "approved",
      commitSha,
      ...(pending && pending.commitSha !== commitSha && { awaitingCommitSha: pending.commitSha }),
      reason: cause.message,
    })
    .catch(() => undefined); // a notifier must not throw; if one does, the approval stands
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
      via: cause.via,
      deliveryId: cause.deliveryId,
      errorCode: code,
    });
  }
  return { outcome: "refused", code, reason, environment };
}
