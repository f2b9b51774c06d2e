import type { Logger } from "../core/logger.ts";
import type { Worker } from "./create-worker.ts";

/** What the consumer needs of the SQS wake queue (queue/create-wake-receiver.ts). */
export interface WakeSource<W extends { environmentId: string }> {
  receive(options: { max: number; waitSeconds: number; visibilitySeconds: number }): Promise<W[]>;
  extend(wake: W, seconds: number): Promise<void>;
  acknowledge(wake: W): Promise<void>;
}

export interface ConsumeWakesOptions<W extends { environmentId: string }> {
  source: WakeSource<W>;
  worker: Pick<Worker, "handleWake">;
  /** Wakes handled at once (each runs one environment's jobs). */
  concurrency: number;
  log: Logger;
  /**
   * A received wake stays invisible this long and is extended while its jobs run: after a crash
   * it is handed out again this soon, not after the queue's 16 minutes. @default 60
   */
  visibilitySeconds?: number;
}

/**
 * The long-running server's side of the SQS queue (`serve` with STACKFORK_STORE=aws): long-polls
 * wakes and runs each through `worker.handleWake`, the same function the worker Lambda calls. A
 * wake is acknowledged once handled; one whose handling threw is left to come back.
 */
export function consumeWakes<W extends { environmentId: string }>(options: ConsumeWakesOptions<W>) {
  const { source, worker, log } = options;
  const visibility = options.visibilitySeconds ?? 60;
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  async function handle(wake: W): Promise<void> {
    const extender = setInterval(
      () =>
        void source
          .extend(wake, visibility)
          .catch((err: unknown) => log.warn({ err, environment: wake.environmentId }, "could not extend a wake")),
      (visibility * 1000) / 3,
    );
    try {
      const outcome = await worker.handleWake(wake.environmentId);
      await source.acknowledge(wake);
      if (outcome.ran > 0) log.debug({ environment: wake.environmentId, ...outcome }, "wake handled");
    } catch (err) {
      log.error({ err, environment: wake.environmentId }, "wake failed; it comes back after its visibility timeout");
    } finally {
      clearInterval(extender);
    }
  }

  const loop = (async () => {
    while (!stopping) {
      if (inFlight.size >= options.concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      try {
        const wakes = await source.receive({
          max: Math.min(10, options.concurrency - inFlight.size),
          // Idle: one long poll per 20 s. With wakes in hand, short polls: a poll that began while
          // an environment's wake was in flight may pass over that environment's next wake (its
          // group was blocked when the poll began; the emulator keeps it so for the whole poll).
          waitSeconds: stopping ? 0 : inFlight.size > 0 ? 2 : 20,
          visibilitySeconds: visibility,
        });
        for (const wake of wakes) {
          // Received as the server stops: visible again at once, for whoever runs next.
          if (stopping) {
            await source.extend(wake, 0).catch(() => undefined);
            continue;
          }
          const done = handle(wake).finally(() => inFlight.delete(done));
          inFlight.add(done);
        }
      } catch (err) {
        log.error({ err }, "could not receive wakes; trying again in 5 s");
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
    }
  })();

  return {
    /** Stops receiving; the wakes in hand finish (the worker's own stop bounds them). */
    async stop(): Promise<void> {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      // The last long poll ends on its own within 20 s; nothing waits for it.
      void loop;
    },
  };
}
