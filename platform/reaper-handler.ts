import { findOrphans } from "../worker/find-orphans.ts";
import { reapExpiredEnvironments } from "../worker/reap-expired-environments.ts";
import { createLambdaRuntime } from "./create-lambda-runtime.ts";
import { oncePerContainer } from "./once-per-container.ts";

/** What one run did; also the function's answer, visible in the Scheduler's and Lambda's logs. */
export interface ReaperReport {
  expired: string[];
  rewoken: number;
  orphans: { stacks: number; environments: number };
  /** Steps that failed; the others still ran. */
  errors: { step: string; code: string; message: string }[];
}

/**
 * The reaper Lambda (EventBridge Scheduler, every few minutes): destroy what expired, wake again the
 * pending jobs whose wake was lost (no live lease), report orphans. One bounded run: each step is a
 * few queries, and a step that fails does not keep the others from running.
 */
export function createReaperHandler(env: NodeJS.ProcessEnv) {
  const ready = oncePerContainer(() => createLambdaRuntime(env));
  return async (_event?: unknown): Promise<ReaperReport> => {
    const runtime = await ready();
    const { registry, queue, log, now } = runtime;
    const report: ReaperReport = { expired: [], rewoken: 0, orphans: { stacks: 0, environments: 0 }, errors: [] };
    const step = async (name: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (err) {
        const e = err as { code?: string; message?: string };
        report.errors.push({ step: name, code: e.code ?? "INTERNAL", message: e.message ?? String(err) });
        log.error({ err, step: name }, "reaper step failed");
      }
    };
    await step("expiry", async () => {
      report.expired = await reapExpiredEnvironments({
        registry,
        queue,
        nameMaxLength: runtime.config.nameMaxLength,
        log,
        now,
      });
    });
    await step("rewake", async () => {
      report.rewoken = (await runtime.stores.wakes?.rewakeStalled(now())) ?? 0;
    });
    await step("orphans", async () => {
      const orphans = await findOrphans(registry, await runtime.listStacks());
      report.orphans = { stacks: orphans.stacks.length, environments: orphans.environments.length };
      if (orphans.stacks.length + orphans.environments.length > 0) log.warn({ orphans }, "orphans found");
    });
    log.info({ report }, "reaper run");
    return report;
  };
}

export const handler = createReaperHandler(process.env);
