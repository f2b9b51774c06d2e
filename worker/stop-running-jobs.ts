import type { RunningJob } from "./running-job.ts";
import type { Sleep } from "./sleep-on-timers.ts";
import type { StopReason } from "./stop-reason.ts";

export interface StopRunningJobsDeps {
  running: Map<string, RunningJob>;
  sleep: Sleep;
}

/**
 * Waits up to `graceMs` for the running jobs to end; then aborts the rest with a "shutdown" reason
 * (each is released for the next start) and waits for them to settle.
 */
export async function stopRunningJobs(deps: StopRunningJobsDeps, graceMs: number): Promise<void> {
  const { running } = deps;
  const all = () => Promise.allSettled([...running.values()].map((r) => r.done));
  const graceOver = new AbortController();
  const graceful = await Promise.race([
    all().then(() => true),
    deps.sleep(graceMs, graceOver.signal).then(() => false),
  ]);
  graceOver.abort();
  if (!graceful) {
    for (const r of running.values()) r.controller.abort({ stop: "shutdown" } satisfies StopReason);
    await all();
  }
}
