import type { PushEvent } from "@octokit/webhooks-types";
import { decideBranchIntents } from "./decide-branch-intents.ts";
import { decideCommentIntents } from "./decide-comment-intents.ts";
import { decidePullRequestIntents } from "./decide-pull-request-intents.ts";
import { type EventContext, ignore, type PolicyDecision, type WebhookEvent } from "./policy-decision.ts";
import type { RepositoryConfig } from "./repository-config.ts";
import type { Untrusted } from "./untrusted-payload.ts";

export type { EventContext, PolicyDecision, WebhookEvent } from "./policy-decision.ts";

type Decide = (context: EventContext) => PolicyDecision;

const deciders: Record<string, Decide> = {
  push: decideBranchIntents,
  create: decideBranchIntents,
  delete: decideBranchIntents,
  pull_request: decidePullRequestIntents,
  issue_comment: decideCommentIntents,
};

type RepositoryPayload = Untrusted<PushEvent>;

/**
 * The event policy (DESIGN.md, "Event policy"), per repository options from its config
 * (`readEventPolicy`). Pure: the repository's config is looked up through the caller's function, and
 * whatever needs I/O (finding a pull request's environment, asking GitHub for permissions) is left
 * to intake as a `PullRequestIntent`. Everything not acted on is ignored with a code and a reason.
 */
export function decideIntents(
  event: WebhookEvent,
  findRepository: (fullName: string) => RepositoryConfig | undefined,
): PolicyDecision {
  if (event.name === "ping") return ignore("PING", "ping: the webhook is set up");
  const decide = deciders[event.name];
  if (!decide) return ignore("EVENT_NOT_HANDLED", `event ${event.name} is not handled`);

  const payload = (event.payload ?? {}) as RepositoryPayload;
  const fullName = typeof payload.repository?.full_name === "string" ? payload.repository.full_name : undefined;
  if (!fullName) return ignore("PAYLOAD_INCOMPLETE", `${event.name}: payload has no repository.full_name`);
  const repository = findRepository(fullName);
  if (!repository) return ignore("REPOSITORY_NOT_CONFIGURED", `repository ${fullName} is not configured`);
  const defaultBranch =
    typeof payload.repository?.default_branch === "string"
      ? payload.repository.default_branch
      : repository.defaultBranch;
  const actor = typeof payload.sender?.login === "string" ? payload.sender.login : undefined;
  return decide({ event, repository, defaultBranch, actor });
}
