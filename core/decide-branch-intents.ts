import type { CreateEvent, DeleteEvent, PushEvent } from "@octokit/webhooks-types";
import { type EventContext, ignore, type PolicyDecision } from "./policy-decision.ts";
import type { Untrusted } from "./untrusted-payload.ts";

type RefPayload = Untrusted<PushEvent> & Untrusted<CreateEvent> & Untrusted<DeleteEvent>;

const BRANCH_REF = "refs/heads/";
const SHA = /^[0-9a-f]{40}$/;

/**
 * `push`, `create`, `delete`: a push or create of a branch other than the default branch deploys
 * its environment; a delete (or a push with `deleted: true`) destroys it. Tags are not deployed.
 */
export function decideBranchIntents({ event, repository, defaultBranch, actor }: EventContext): PolicyDecision {
  const payload = event.payload as RefPayload;
  const branch = readBranch(event.name, payload);
  if (branch === undefined) return ignore("NOT_A_BRANCH", `${event.name}: not a branch (tags are not deployed)`);
  if (branch === defaultBranch)
    return ignore("DEFAULT_BRANCH", `${branch} is the default branch: production is not previewed`);

  const identity = { kind: "branch" as const, repository: repository.name, branch };
  const cause = (message: string) => ({ actor, via: "github" as const, deliveryId: event.deliveryId, message });

  if (event.name === "delete" || (event.name === "push" && payload.deleted === true)) {
    return { intents: [{ type: "destroy", identity, cause: cause(`branch ${branch} deleted`) }] };
  }
  if (event.name === "push") {
    if (typeof payload.after !== "string" || !SHA.test(payload.after))
      return ignore("PAYLOAD_INCOMPLETE", "push: no valid head SHA (after)");
    return { intents: [{ type: "deploy", identity, commitSha: payload.after, cause: cause(`push to ${branch}`) }] };
  }
  return { intents: [{ type: "deploy", identity, cause: cause(`branch ${branch} created`) }] };
}

function readBranch(eventName: string, payload: RefPayload): string | undefined {
  if (typeof payload.ref !== "string" || payload.ref === "") return undefined;
  if (eventName === "push")
    return payload.ref.startsWith(BRANCH_REF) ? payload.ref.slice(BRANCH_REF.length) : undefined;
  return payload.ref_type === "branch" ? payload.ref : undefined;
}
