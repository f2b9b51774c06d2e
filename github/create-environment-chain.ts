/**
 * One promise chain per environment: tasks of one environment run in the order they were handed
 * over, environments in parallel; a task that fails is reported and does not stop the next. Notices
 * go through it (GitHub asks for about a second between writes; a sticky comment edited out of order
 * would show an old status). `settled()` waits for what is still on its way (a stopping worker).
 */
export function createEnvironmentChain(onError: (err: unknown, environmentId: string) => void) {
  const chains = new Map<string, Promise<void>>();
  return {
    run(environmentId: string, task: () => Promise<unknown>): Promise<void> {
      const next = (chains.get(environmentId) ?? Promise.resolve()).then(task).then(
        () => undefined,
        (err: unknown) => onError(err, environmentId),
      );
      chains.set(environmentId, next);
      void next.then(() => {
        if (chains.get(environmentId) === next) chains.delete(environmentId);
      });
      return next;
    },
    settled: () => Promise.allSettled(chains.values()),
  };
}
