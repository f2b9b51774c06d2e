import type { IssueCommentCreatedEvent } from "@octokit/webhooks-types";
import type { PullRequestRef } from "./intent.ts";
import { parseCommentCommand } from "./parse-comment-command.ts";
import { type EventContext, ignore, type PolicyDecision } from "./policy-decision.ts";
import { readEventPolicy } from "./repository-config.ts";
import type { Untrusted } from "./untrusted-payload.ts";

type CommentPayload = Untrusted<IssueCommentCreatedEvent>;

/**
 * The author associations that may mean write access. GitHub's association is only a hint (a
 * MEMBER of the organization may have read access to this repository), so intake also asks GitHub
 * for the author's permission when it can.
 * https://docs.github.com/en/graphql/reference/enums#commentauthorassociation
 */
const TRUSTED_ASSOCIATIONS = ["OWNER", "MEMBER", "COLLABORATOR"];

/**
 * `issue_comment` created on a pull request with `/stackfork deploy [<sha>] | redeploy | destroy |
 * extend <duration>`. Only new comments count (an edit could replay an old command); bots' comments
 * are not read. An author without write access is refused, recorded in the environment's history.
 */
export function decideCommentIntents({ event, repository, actor: sender }: EventContext): PolicyDecision {
  const payload = event.payload as CommentPayload;
  const action = typeof payload.action === "string" ? payload.action : "(none)";
  if (action !== "created") return ignore("ACTION_NOT_HANDLED", `issue_comment ${action}: only new comments are read`);
  const number = payload.issue?.number;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 1)
    return ignore("PAYLOAD_INCOMPLETE", "issue_comment: no issue number");
  if (!payload.issue?.pull_request)
    return ignore("NOT_A_PULL_REQUEST", `#${number} is an issue: commands are read on pull requests`);
  const comment = payload.comment;
  if (comment?.user?.type === "Bot") return ignore("COMMENT_BY_BOT", "comments by bots are not read as commands");
  const body = typeof comment?.body === "string" ? comment.body : "";
  const parsed = parseCommentCommand(body);
  if (parsed.type === "none") return ignore("NO_COMMAND", "the comment holds no /stackfork command");
  if (parsed.type === "unknown")
    return ignore(
      "NO_COMMAND",
      `/stackfork ${parsed.word}: not a command (deploy [<sha>], redeploy, reseed, destroy, extend <duration>)`,
    );

  const actor = typeof comment?.user?.login === "string" ? comment.user.login : sender;
  if (!actor) return ignore("PAYLOAD_INCOMPLETE", "issue_comment: no comment author");
  const pullRequest: PullRequestRef = {
    repository: repository.name,
    number,
    ...(typeof comment?.id === "number" && { commentId: comment.id }),
  };
  const cause = (message: string) => ({ actor, via: "github" as const, deliveryId: event.deliveryId, message });
  const association = typeof comment?.author_association === "string" ? comment.author_association : "NONE";
  const said = parsed.type === "command" ? `/stackfork ${parsed.command.name}` : "/stackfork";

  if (!TRUSTED_ASSOCIATIONS.includes(association)) {
    const reason = `@${actor} (${association}) may not run ${said}: only people with write access may`;
    return { intents: [{ type: "refuse", pullRequest, code: "COMMAND_NOT_ALLOWED", reason, cause: cause(reason) }] };
  }
  if (parsed.type === "invalid") {
    return {
      intents: [
        { type: "refuse", pullRequest, code: "COMMAND_INVALID", reason: parsed.problem, cause: cause(parsed.problem) },
      ],
    };
  }
  const { command } = parsed;
  const { extendMaxHours } = readEventPolicy(repository);
  if (command.name === "extend" && command.hours > extendMaxHours) {
    const reason = `/stackfork extend: at most ${extendMaxHours} h at a time (extendMaxHours)`;
    return { intents: [{ type: "refuse", pullRequest, code: "COMMAND_INVALID", reason, cause: cause(reason) }] };
  }
  return {
    intents: [
      {
        type: "command",
        pullRequest,
        command,
        actor,
        via: "comment",
        requestedAt: typeof comment?.created_at === "string" ? comment.created_at : undefined,
        cause: cause(`${said} by @${actor} on #${number}`),
      },
    ],
  };
}
