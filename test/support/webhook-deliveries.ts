import { randomUUID } from "node:crypto";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { sign } from "@octokit/webhooks-methods";

type Payload = Record<string, unknown>;

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
