/** Waits `ms`, resolving early when `signal` aborts (`WorkerDeps.sleep`). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Real timers: resolves after `ms`, or as soon as `signal` aborts. */
export function sleepOnTimers(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
