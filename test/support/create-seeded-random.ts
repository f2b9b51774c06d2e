import { randomInt } from "node:crypto";

export interface SeededRandom {
  /** The seed: print it, so a failing run can be replayed with it. */
  seed: number;
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
}

/**
 * Bounded, repeatable randomness for tests that pick moments or orders at random: mulberry32
 * (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c), the same sequence for
 * the same seed. Without a seed, a fresh one.
 */
export function createSeededRandom(seed: number = randomInt(2 ** 31)): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { seed, next, between: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}
