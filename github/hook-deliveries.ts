import type { GitHubOctokit } from "./create-github-client.ts";
import { translateGitHubError } from "./translate-github-error.ts";

/** A webhook whose deliveries GitHub lists: the GitHub App's own, or one repository's. */
export type WebhookHook =
  | { kind: "app"; octokit: GitHubOctokit }
  | { kind: "repository"; octokit: GitHubOctokit; repository: string; hookId: number };

/** One attempt of a delivery, as GitHub lists it (each redelivery is an attempt of its own, same guid). */
export interface HookDelivery {
  id: number;
  /** X-GitHub-Delivery: the same for the first attempt and every redelivery. */
  guid: string;
  /** ISO 8601 */
  deliveredAt: string;
  redelivery: boolean;
  /** The answer's HTTP status; 0 when there was none (timed out, refused). */
  statusCode: number;
  event: string;
  action?: string;
}

/** Pages of 100 at most per listing: 3 days of a busy App are bounded, not read forever. */
const MAX_PAGES = 20;

/** `app`, or `repo:<owner/name>:<hook id>`: how a hook's check is kept. */
export function hookKey(hook: WebhookHook): string {
  return hook.kind === "app" ? "app" : `repo:${hook.repository.toLowerCase()}:${hook.hookId}`;
}

/**
 * The hook's delivery attempts since `since`, newest first (GitHub's order), following the
 * cursor in `Link` until one is older than `since`.
 * https://docs.github.com/en/rest/apps/webhooks#list-deliveries-for-an-app-webhook
 * https://docs.github.com/en/rest/repos/webhooks#list-deliveries-for-a-repository-webhook
 */
export async function listHookDeliveries(hook: WebhookHook, since: Date, count: { sent: number }) {
  const route =
    hook.kind === "app" ? "GET /app/hook/deliveries" : "GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries";
  const deliveries: HookDelivery[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    count.sent += 1;
    let response: { data: unknown; headers: Record<string, unknown> };
    try {
      response = await hook.octokit.request(route, {
        ...target(hook),
        per_page: 100,
        ...(cursor ? { cursor } : {}),
      });
    } catch (err) {
      throw translateGitHubError(err, route);
    }
    const items = (response.data as Record<string, unknown>[]).map(toDelivery);
    deliveries.push(...items.filter((d) => Date.parse(d.deliveredAt) >= since.getTime()));
    const last = items.at(-1);
    if (!last || Date.parse(last.deliveredAt) < since.getTime()) break;
    cursor = /<([^>]+)>;\s*rel="next"/.exec(String(response.headers.link ?? ""))?.[1];
    cursor = cursor ? (new URL(cursor).searchParams.get("cursor") ?? undefined) : undefined;
    if (!cursor) break;
  }
  return deliveries;
}

/**
 * Asks GitHub to deliver an attempt again (202): it is sent with the same guid, so the replay
 * guard drops it if the first one did arrive after all.
 * https://docs.github.com/en/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook
 */
export async function redeliverHookDelivery(hook: WebhookHook, deliveryId: number): Promise<void> {
  const route =
    hook.kind === "app"
      ? "POST /app/hook/deliveries/{delivery_id}/attempts"
      : "POST /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts";
  try {
    await hook.octokit.request(route, { ...target(hook), delivery_id: deliveryId });
  } catch (err) {
    throw translateGitHubError(err, route);
  }
}

function target(hook: WebhookHook): Record<string, string | number> {
  if (hook.kind === "app") return {};
  const [owner = "", repo = ""] = hook.repository.split("/");
  return { owner, repo, hook_id: hook.hookId };
}

function toDelivery(raw: Record<string, unknown>): HookDelivery {
  return {
    id: Number(raw.id),
    guid: String(raw.guid),
    deliveredAt: String(raw.delivered_at),
    redelivery: raw.redelivery === true,
    statusCode: Number(raw.status_code ?? 0),
    event: String(raw.event),
    ...(typeof raw.action === "string" ? { action: raw.action } : {}),
  };
}
