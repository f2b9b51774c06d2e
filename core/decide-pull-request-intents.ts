import type { PullRequestEvent, PullRequestLabeledEvent } from "@octokit/webhooks-types";
import { type EventContext, ignore, type PolicyDecision } from "./policy-decision.ts";
import { readEventPolicy } from "./repository-config.ts";
import type { Untrusted } from "./untrusted-payload.ts";

type PullRequestPayload = Untrusted<PullRequestEvent> & Untrusted<PullRequestLabeledEvent>;

const SHA = /^[0-9a-f]{40}$/;
const DEPLOYING_ACTIONS = ["opened", "reopened", "synchronize", "ready_for_review"];

/**
 * `pull_request`. A head branch in the repository itself deploys that branch's environment and
 * links it to the pull request; closing destroys it (unless the repository keeps branch environments).
 * A fork's head is never deployed on its own: its code would run with the platform's deploy
 * credentials. Its environment waits as `awaiting_approval` until someone with write access approves
 * (`/stackfork deploy`, or the approval label), and, by default, again after every push.
 */
export function decidePullRequestIntents({ event, repository, defaultBranch, actor }: EventContext): PolicyDecision {
  const options = readEventPolicy(repository);
  const payload = event.payload as PullRequestPayload;
  const action = typeof payload.action === "string" ? payload.action : "(none)";
  if (!options.pullRequestEnvironments)
    return ignore("PULL_REQUESTS_DISABLED", `pull request environments are off for ${repository.name}`);

  const pr = payload.pull_request;
  const number = pr?.number ?? payload.number;
  const headRef = pr?.head?.ref;
  const headSha = pr?.head?.sha;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 1)
    return ignore("PAYLOAD_INCOMPLETE", "pull_request: no pull request number");
  if (typeof headRef !== "string" || headRef === "" || typeof headSha !== "string" || !SHA.test(headSha))
    return ignore("PAYLOAD_INCOMPLETE", `pull_request #${number}: no head ref or head SHA`);

  // A deleted fork leaves `head.repo` null: still a fork.
  const headRepository = pr?.head?.repo?.full_name;
  const fromFork = typeof headRepository !== "string" || headRepository.toLowerCase() !== repository.name.toLowerCase();
  const cause = (message: string) => ({ actor, via: "github" as const, deliveryId: event.deliveryId, message });
  const forkIdentity = {
    kind: "pull_request" as const,
    repository: repository.name,
    pullRequest: number,
    branch: headRef,
  };
  const branchIdentity = { kind: "branch" as const, repository: repository.name, branch: headRef };

  if (DEPLOYING_ACTIONS.includes(action)) {
    if (pr?.draft === true && !options.deployDraftPullRequests)
      return ignore("DRAFT_PULL_REQUEST", `#${number} is a draft: deployed once ready for review`);
    if (fromFork) {
      const newCode = action === "synchronize";
      return {
        intents: [
          {
            type: "hold",
            identity: forkIdentity,
            commitSha: headSha,
            keepApproval: !newCode || !options.reapproveForkPushes,
            cause: cause(`fork pull request #${number} ${action} at ${headSha.slice(0, 7)}`),
          },
        ],
      };
    }
    if (headRef === defaultBranch)
      return ignore("DEFAULT_BRANCH", `#${number}'s head is the default branch: production is not previewed`);
    return {
      intents: [
        {
          type: "deploy",
          identity: branchIdentity,
          commitSha: headSha,
          pullRequest: number,
          cause: cause(`pull request #${number} ${action}`),
        },
      ],
    };
  }

  if (action === "closed") {
    if (fromFork)
      return { intents: [{ type: "destroy", identity: forkIdentity, cause: cause(`pull request #${number} closed`) }] };
    if (headRef === defaultBranch)
      return ignore("DEFAULT_BRANCH", `#${number}'s head is the default branch: production is not previewed`);
    if (options.keepBranchEnvironmentOnClose)
      return ignore(
        "BRANCH_KEPT",
        `#${number} closed: ${headRef}'s environment is kept (keepBranchEnvironmentOnClose)`,
      );
    return {
      intents: [{ type: "destroy", identity: branchIdentity, cause: cause(`pull request #${number} closed`) }],
    };
  }

  if (action === "labeled") {
    const label = payload.label?.name;
    if (label !== options.approvalLabel)
      return ignore("ACTION_NOT_HANDLED", `label ${String(label)} is not the approval label ${options.approvalLabel}`);
    if (!fromFork) return ignore("ACTION_NOT_HANDLED", `#${number} is not from a fork: it deploys without approval`);
    if (pr?.state === "closed") return ignore("ACTION_NOT_HANDLED", `#${number} is closed: nothing to approve`);
    if (!actor) return ignore("PAYLOAD_INCOMPLETE", "labeled: no sender");
    return {
      intents: [
        {
          type: "command",
          pullRequest: { repository: repository.name, number },
          command: { name: "deploy" },
          actor,
          via: "label",
          commitSha: headSha,
          identity: forkIdentity,
          cause: cause(`approved by @${actor} (label ${label}) at ${headSha.slice(0, 7)}`),
        },
      ],
    };
  }
  return ignore("ACTION_NOT_HANDLED", `pull_request action ${action} is not handled`);
}
