import { setImmediate as nextTurn, setTimeout as realDelay } from "node:timers/promises";

export interface FakeClock {
  /** The fake time: moves only when a timer is fired (advance, runUntil). */
  now(): Date;
  /** A timer on the fake time; resolves early when `signal` aborts (what WorkerDeps.sleep asks). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Moves time on by `ms`, firing every timer that comes due on the way, in time order. */
  advance(ms: number): Promise<void>;
  /**
   * Fires timers one after another, in time order, until `done()` holds, letting the real work each
   * one starts (SQLite, promises) run before the next. Throws when `done()` still fails with no
   * timer due within `limitMs` of fake time and no real work left to wait for.
   */
  runUntil(done: () => boolean, limitMs?: number): Promise<void>;
  /** Timers waiting. */
  pending(): number;
}

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

export interface FakeClockOptions {
  /**
   * Whether real work is still under way (see trackInFlight): no timer fires before it is done, so
   * fake time never jumps past a step only because a disk flush was slow.
   */
  busy?: () => boolean;
}

/**
 * A fake clock for code that takes `now` and `sleep` as dependencies (the worker): tests of leases,
 * deadlines and grace periods run in milliseconds, and read the time of each step from the clock.
 */
export function createFakeClock(start: Date, options: FakeClockOptions = {}): FakeClock {
  let time = start.getTime();
  let seq = 0;
  const timers: Timer[] = [];

  function earliest(): Timer | undefined {
    return timers.reduce<Timer | undefined>(
      (first, timer) =>
        !first || timer.at < first.at || (timer.at === first.at && timer.seq < first.seq) ? timer : first,
      undefined,
    );
  }

  function fire(timer: Timer): void {
    timers.splice(timers.indexOf(timer), 1);
    time = Math.max(time, timer.at);
    timer.fire();
  }

  const clock: FakeClock = {
    now: () => new Date(time),
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const onAbort = () => {
          const i = timers.indexOf(timer);
          if (i >= 0) timers.splice(i, 1);
          resolve();
        };
        const timer: Timer = {
          at: time + Math.max(0, ms),
          seq: seq++,
          fire: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        timers.push(timer);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    async advance(ms) {
      const end = time + ms;
      for (;;) {
        await settle();
        const next = earliest();
        if (!next || next.at > end) break;
        fire(next);
      }
      time = Math.max(time, end);
      await settle();
    },
    async runUntil(done, limitMs = 3_600_000) {
      const limit = time + limitMs;
      for (let idle = 0; ; ) {
        await settle();
        if (done()) return;
        const next = earliest();
        if (next && next.at <= limit) {
          fire(next);
          idle = 0;
          continue;
        }
        // Real work (a disk flush) may still be on its way to a timer or to done().
        if (++idle > 300) {
          throw new Error(`not done at ${new Date(time).toISOString()}, with no timer due before the limit`);
        }
        await realDelay(10);
      }
    },
    pending: () => timers.length,
  };
  return clock;

  /** Turns of the real event loop until the work a timer started is done or waits on the clock. */
  async function settle(): Promise<void> {
    for (;;) {
      for (let i = 0; i < 5; i++) await nextTurn();
      // Untracked: a real millisecond, for what quick I/O there is.
      if (!options.busy) {
        await realDelay(1);
        return;
      }
      if (!options.busy()) return;
      await realDelay(1);
    }
  }
}
