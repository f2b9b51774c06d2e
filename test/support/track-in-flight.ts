/** Counts the calls of tracked objects whose promises have not settled yet. */
export interface InFlight {
  /** The same object, whose every method returning a promise is counted until it settles. */
  track<T extends object>(target: T): T;
  busy(): boolean;
}

/**
 * For a fake clock (fake-clock.ts): the stores' real I/O (SQLite's flush to disk) is the only work
 * that does not wait on the clock, so a test that tracks the stores knows when to move time on.
 */
export function trackInFlight(): InFlight {
  let count = 0;
  return {
    track<T extends object>(target: T): T {
      return new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            const result = value.apply(object, args);
            if (result instanceof Promise) {
              count++;
              return result.finally(() => {
                count--;
              });
            }
            return result;
          };
        },
      });
    },
    busy: () => count > 0,
  };
}
