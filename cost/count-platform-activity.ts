import type { Registry } from "../registry/registry.ts";

/** What the platform did over a window, counted from the registry's history: what it is billed for. */
export interface PlatformActivity {
  /** ISO 8601 bounds of the window. */
  from: string;
  to: string;
  /** GitHub deliveries that reached an environment (distinct delivery ids in history). */
  deliveries: number;
  /** Jobs the worker ran (distinct job ids that started). */
  jobs: number;
  /** The engine's time over those jobs, from the finished events' durations. */
  jobMs: number;
  /** History events written (each one registry write, besides the environment's own). */
  events: number;
  /** Environments with any activity in the window. */
  environments: number;
  /** Environments the registry holds now (destroyed ones included): its stored rows. */
  storedEnvironments: number;
}

const STARTED = new Set(["deploy_started", "destroy_started"]);
const FINISHED = new Set(["deploy_succeeded", "deploy_failed", "destroy_succeeded", "destroy_failed"]);
const PAGE = 500;

/**
 * Counts the platform's own activity over the last `days` from its history. Environments are read
 * newest first and the walk stops at the first one unchanged since the window began (a change in
 * the window moves an environment ahead: registry.ts); only those have their history read.
 */
export async function countPlatformActivity(
  registry: Pick<Registry, "listEnvironments" | "listEvents" | "countByStatus">,
  now: Date,
  days = 30,
): Promise<PlatformActivity> {
  const from = new Date(now.getTime() - days * 86_400_000).toISOString();
  const deliveries = new Set<string>();
  const jobs = new Set<string>();
  let jobMs = 0;
  let events = 0;
  let environments = 0;
  let cursor: string | undefined;
  walk: do {
    const page = await registry.listEnvironments({ includeDestroyed: true, limit: PAGE, cursor });
    for (const environment of page.environments) {
      if (environment.updatedAt < from) break walk;
      let active = false;
      for (const event of await registry.listEvents(environment.id)) {
        if (event.at < from) continue;
        active = true;
        events++;
        if (event.deliveryId) deliveries.add(event.deliveryId);
        if (event.jobId && STARTED.has(event.type)) jobs.add(event.jobId);
        if (FINISHED.has(event.type)) jobMs += event.durationMs ?? 0;
      }
      if (active) environments++;
    }
    cursor = page.nextCursor;
  } while (cursor);
  const counts = await registry.countByStatus();
  const storedEnvironments = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  return {
    from,
    to: now.toISOString(),
    deliveries: deliveries.size,
    jobs: jobs.size,
    jobMs,
    events,
    environments,
    storedEnvironments,
  };
}
