import type { RepositoryConfig } from "./config.ts";
import type { Intent } from "./intent.ts";

export interface WebhookEvent {
  /** `X-GitHub-Event` */
  name: string;
  deliveryId: string;
  payload: unknown;
}

export type PolicyDecision = { intents: Intent[] } | { ignored: string };

interface RefPayload {
  ref?: unknown;
  ref_type?: unknown;
  after?: unknown;
  deleted?: unknown;
  repository?: { full_name?: unknown; default_branch?: unknown };
  sender?: { login?: unknown };
}

const BRANCH_REF = "refs/heads/";
const SHA = /^[0-9a-f]{40}$/;

/**
 * The event policy for branches (DESIGN.md): a push or create of a branch other than the default
 * branch deploys its environment; a delete (or a push with `deleted: true`) destroys it. Everything
 * else is acknowledged and ignored, with the reason. No I/O: the repository's config is looked up
 * by the caller's function.
 */
export function decideIntents(
  event: WebhookEvent,
  findRepository: (fullName: string) => RepositoryConfig | undefined,
): PolicyDecision {
  if (event.name === "ping") return { ignored: "ping: webhook is set up" };
  if (!["push", "create", "delete"].includes(event.name)) return { ignored: `event ${event.name} is not handled` };

  const payload = (event.payload ?? {}) as RefPayload;
  const fullName = typeof payload.repository?.full_name === "string" ? payload.repository.full_name : undefined;
  if (!fullName) return { ignored: `${event.name}: payload has no repository.full_name` };
  const repo = findRepository(fullName);
  if (!repo) return { ignored: `repository ${fullName} is not configured` };

  const branch = readBranch(event.name, payload);
  if (branch === undefined) return { ignored: `${event.name}: not a branch (tags are not deployed)` };
  const defaultBranch =
    typeof payload.repository?.default_branch === "string" ? payload.repository.default_branch : repo.defaultBranch;
  if (branch === defaultBranch) return { ignored: `${branch} is the default branch: production is not previewed` };

  const identity = { kind: "branch" as const, repository: repo.name, branch };
  const actor = typeof payload.sender?.login === "string" ? payload.sender.login : undefined;
  const cause = (message: string) => ({ actor, deliveryId: event.deliveryId, message });

  if (event.name === "delete" || (event.name === "push" && payload.deleted === true)) {
    return { intents: [{ type: "destroy", identity, cause: cause(`branch ${branch} deleted`) }] };
  }
  if (event.name === "push") {
    if (typeof payload.after !== "string" || !SHA.test(payload.after))
      return { ignored: "push: no valid head SHA (after)" };
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
