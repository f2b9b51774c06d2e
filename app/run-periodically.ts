export interface PeriodicTask {
  /** No new run; resolves once the one running (if any) has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `task` now and then every `intervalMs`, never two runs at once (a slow run delays the next
 * instead of overlapping it). A failed run is reported and the schedule goes on.
 */
export function runPeriodically(
  task: () => Promise<unknown>,
  intervalMs: number,
  onError: (err: unknown) => void,
): PeriodicTask {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= task()
      .then(() => undefined, onError)
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
