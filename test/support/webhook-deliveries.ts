import { randomUUID } from "node:crypto";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { sign } from "@octokit/webhooks-methods";

export type Payload = Record<string, unknown>;

/** A real example payload from @octokit/webhooks-examples, the template for our own deliveries. */
export function examplePayload(event: string, index = 0): Payload {
  const entry = (examples as { name: string; examples: Payload[] }[]).find((e) => e.name === event);
  const example = entry?.examples[index];
  if (!example) throw new Error(`no ${event} example #${index}`);
  return structuredClone(example);
}

const ZERO_SHA = "0000000000000000000000000000000000000000";

export function pushPayload(
  repository: string,
  branch: string,
  after: string,
  options: { deleted?: boolean } = {},
): Payload {
  const payload = examplePayload("push", 4); // a branch push (refs/heads/master)
  const repo = payload.repository as Payload;
  repo.full_name = repository;
  repo.name = repository.split("/")[1];
  repo.default_branch = "main";
  return {
    ...payload,
    ref: `refs/heads/${branch}`,
    before: ZERO_SHA,
    after: options.deleted ? ZERO_SHA : after,
    created: false,
    deleted: options.deleted ?? false,
    repository: repo,
  };
}

export function deletePayload(repository: string, branch: string): Payload {
  const payload = examplePayload("delete");
  const repo = payload.repository as Payload;
  repo.full_name = repository;
  repo.default_branch = "main";
  return { ...payload, ref: branch, ref_type: "branch", repository: repo };
}

export interface PullRequestOptions {
  action: string;
  number: number;
  headRef: string;
  headSha: string;
  /** The head repository's full name when it is a fork; `null` for a deleted fork. */
  fork?: string | null;
  draft?: boolean;
  /** `labeled`: the label added. */
  label?: string;
  state?: "open" | "closed";
  sender?: string;
  /** ISO 8601: two events of one pull request differ at least by it (the same body twice is a replay). */
  updatedAt?: string;
}

/** A `pull_request` delivery built on the opened example, for a repository of ours. */
export function pullRequestPayload(repository: string, options: PullRequestOptions): Payload {
  const payload = examplePayload("pull_request", 0);
  const repo = renameRepository(payload.repository as Payload, repository);
  const pr = payload.pull_request as Payload & { head: Payload; base: Payload };
  const headRepo =
    options.fork === undefined
      ? repo
      : options.fork === null
        ? null
        : renameRepository(structuredClone(repo), options.fork);
  pr.number = options.number;
  pr.draft = options.draft ?? false;
  pr.state = options.state ?? (options.action === "closed" ? "closed" : "open");
  pr.head = { ...pr.head, ref: options.headRef, sha: options.headSha, repo: headRepo };
  pr.base = { ...pr.base, ref: "main", repo };
  if (options.updatedAt) pr.updated_at = options.updatedAt;
  const sender = { ...(payload.sender as Payload), login: options.sender ?? "Codertocat" };
  return {
    ...payload,
    action: options.action,
    number: options.number,
    pull_request: pr,
    repository: repo,
    sender,
    ...(options.label
      ? { label: { ...(examplePayload("pull_request", 8).label as Payload), name: options.label } }
      : {}),
  };
}

export interface CommentOptions {
  number: number;
  body: string;
  /** GitHub's author_association: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE... */
  association?: string;
  login?: string;
  bot?: boolean;
  /** ISO 8601 @default now */
  createdAt?: string;
  action?: string;
  /** A comment on an issue rather than on a pull request. */
  onIssue?: boolean;
}

/** An `issue_comment` delivery built on the created example, on a pull request of ours. */
export function commentPayload(repository: string, options: CommentOptions): Payload {
  const payload = examplePayload("issue_comment", 0);
  const repo = renameRepository(payload.repository as Payload, repository);
  const issue = payload.issue as Payload;
  issue.number = options.number;
  if (!options.onIssue) {
    const url = `https://api.github.com/repos/${repository}/pulls/${options.number}`;
    issue.pull_request = { url, html_url: `https://github.com/${repository}/pull/${options.number}` };
  }
  const comment = payload.comment as Payload & { user: Payload };
  const login = options.login ?? "Codertocat";
  comment.body = options.body;
  comment.author_association = options.association ?? "MEMBER";
  comment.created_at = options.createdAt ?? new Date().toISOString();
  comment.user = { ...comment.user, login, type: options.bot ? "Bot" : "User" };
  return {
    ...payload,
    action: options.action ?? "created",
    issue,
    comment,
    repository: repo,
    sender: { ...(payload.sender as Payload), login, type: options.bot ? "Bot" : "User" },
  };
}

function renameRepository(repo: Payload, fullName: string): Payload {
  const [owner = "", name = ""] = fullName.split("/");
  return {
    ...repo,
    full_name: fullName,
    name,
    default_branch: "main",
    owner: { ...(repo.owner as Payload), login: owner },
  };
}

export interface Delivery {
  event: string;
  body: string;
  headers: Record<string, string>;
}

/** Signs a payload the way GitHub does (X-Hub-Signature-256 over the exact body bytes). */
export async function signDelivery(
  secret: string,
  event: string,
  payload: Payload,
  deliveryId: string = randomUUID(),
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  return {
    event,
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": await sign(secret, body),
      "user-agent": "GitHub-Hookshot/stackfork-test",
    },
  };
}
