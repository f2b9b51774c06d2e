import type { Logger } from "../core/logger.ts";
import {
  type HookDelivery,
  hookKey,
  listHookDeliveries,
  redeliverHookDelivery,
  type WebhookHook,
} from "../github/hook-deliveries.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";
import type { ReconciliationStore, RedeliveryRequest } from "./reconciliation-store.ts";

export interface RedeliverDeps {
  registry: Registry;
  store: ReconciliationStore;
  log: Logger;
  now: () => Date;
}

export interface RedeliverOptions {
  hooks: readonly WebhookHook[];
  /** Redeliveries asked in this run, across hooks, at most. */
  maxRequests: number;
  /** List and decide, ask nothing, record nothing. */
  dryRun: boolean;
}

export interface RedeliveryReport {
  hook: string;
  guid: string;
  deliveryId: number;
  event: string;
  /** `would request` in a dry run. */
  outcome: RedeliveryRequest["outcome"] | "would request";
}

/** A check lists back this much before the previous one began: attempts recorded late are not missed. */
const OVERLAP_MS = 10 * 60_000;
/** The first check of a hook looks back one hour, not GitHub's 3 days (a first install replays nothing old). */
const FIRST_LOOK_BACK_MS = 3_600_000;
/** Guids asked for, kept per hook so that none is asked twice; GitHub keeps deliveries 3 days. */
const REQUESTS_KEPT = 1000;
/** History read per environment to find the delivery ids already handled. */
const EVENTS_PER_ENVIRONMENT = 200;

/**
 * GitHub never redelivers a failed delivery by itself (DESIGN.md, AWS facts). Lists each hook's
 * delivery attempts since the last check; a guid none of whose attempts was answered 2xx, not
 * handled by us after all (a history event carries its delivery id: GitHub may count an answer
 * as failed that we did act on, e.g. one later than 10 s) and never asked for before, is asked again,
 * `maxRequests` at most per run. What was asked is kept in the store.
 */
export async function redeliverMissedDeliveries(
  deps: RedeliverDeps,
  options: RedeliverOptions,
): Promise<{ redeliveries: RedeliveryReport[]; requests: number }> {
  const startedAt = deps.now();
  const count = { sent: 0 };
  const reports: RedeliveryReport[] = [];
  let handled: Set<string> | undefined;
  let budget = options.maxRequests;

  for (const hook of options.hooks) {
    const key = hookKey(hook);
    const check = (await deps.store.getDeliveryCheck(key)) ?? { hook: key, requested: [] };
    const since = check.checkedAt
      ? new Date(Date.parse(check.checkedAt) - OVERLAP_MS)
      : new Date(startedAt.getTime() - FIRST_LOOK_BACK_MS);
    const attempts = await listHookDeliveries(hook, since, count);
    const asked = new Set(check.requested.map((r) => r.guid));
    const lost = findLostDeliveries(attempts).filter((d) => !asked.has(d.guid));
    if (lost.length > 0) handled ??= await findHandledDeliveryIds(deps.registry, since);
    const requested: RedeliveryRequest[] = [];
    for (const delivery of lost) {
      if (handled?.has(delivery.guid)) continue;
      if (budget <= 0) break;
      budget -= 1;
      const base = { hook: key, guid: delivery.guid, deliveryId: delivery.id, event: delivery.event };
      if (options.dryRun) {
        reports.push({ ...base, outcome: "would request" });
        continue;
      }
      count.sent += 1;
      const outcome = await redeliverHookDelivery(hook, delivery.id).then(
        () => "requested" as const,
        (err: unknown) => {
          deps.log.warn({ err, hook: key, guid: delivery.guid }, "redelivery refused by GitHub");
          return "failed" as const;
        },
      );
      requested.push({ ...base, askedAt: deps.now().toISOString(), outcome });
      reports.push({ ...base, outcome });
    }
    if (options.dryRun) continue;
    await deps.store.saveDeliveryCheck({
      hook: key,
      checkedAt: startedAt.toISOString(),
      requested: [...requested.reverse(), ...check.requested].slice(0, REQUESTS_KEPT),
    });
  }
  if (reports.length > 0) deps.log.info({ redeliveries: reports }, "missed webhook deliveries: redelivery asked");
  return { redeliveries: reports, requests: count.sent };
}

/**
 * Guids with no attempt answered 2xx, oldest first, each with its newest attempt (the one to
 * redeliver). GitHub lists newest first.
 */
export function findLostDeliveries(attempts: readonly HookDelivery[]): HookDelivery[] {
  const byGuid = new Map<string, { newest: HookDelivery; succeeded: boolean; oldest: number }>();
  for (const attempt of attempts) {
    const ok = attempt.statusCode >= 200 && attempt.statusCode < 300;
    const seen = byGuid.get(attempt.guid);
    const at = Date.parse(attempt.deliveredAt);
    if (!seen) {
      byGuid.set(attempt.guid, { newest: attempt, succeeded: ok, oldest: at });
      continue;
    }
    seen.succeeded ||= ok;
    if (at > Date.parse(seen.newest.deliveredAt)) seen.newest = attempt;
    seen.oldest = Math.min(seen.oldest, at);
  }
  return [...byGuid.values()]
    .filter((g) => !g.succeeded)
    .sort((a, b) => a.oldest - b.oldest)
    .map((g) => g.newest);
}

/**
 * Delivery ids that history events carry, on environments changed since `since` (a delivery that
 * did something changed its environment). Read-only: the Registry's `rememberDelivery` would mark
 * the id as seen and make GitHub's redelivery of it a replay.
 */
async function findHandledDeliveryIds(registry: Registry, since: Date): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const environment of eachEnvironment(registry, { includeDestroyed: true })) {
    // Newest first: the rest changed before `since`.
    if (Date.parse(environment.updatedAt) < since.getTime()) break;
    for (const event of await registry.listEvents(environment.id, { limit: EVENTS_PER_ENVIRONMENT })) {
      if (event.deliveryId) ids.add(event.deliveryId);
    }
  }
  return ids;
}
