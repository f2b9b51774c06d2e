import { describe, expect, it } from "vitest";
import { runPeriodically } from "./run-periodically.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("runPeriodically", () => {
  it("runs at once and again, never two at a time, goes on after a failure, and stop waits for the run", async () => {
    let active = 0;
    let mostActive = 0;
    let runs = 0;
    let finished = 0;
    const errors: unknown[] = [];
    const task = runPeriodically(
      async () => {
        runs++;
        active++;
        mostActive = Math.max(mostActive, active);
        await sleep(30); // longer than the interval
        active--;
        finished++;
        if (runs === 1) throw new Error("first run fails");
      },
      5,
      (err) => errors.push(err),
    );
    expect(runs).toBe(1); // at once, not after the first interval
    while (runs < 3) await sleep(5);
    await task.stop();
    const runsAtStop = runs;
    expect(finished).toBe(runs); // stop waited for the running one
    expect(mostActive).toBe(1);
    expect(errors).toEqual([new Error("first run fails")]);
    await sleep(30);
    expect(runs).toBe(runsAtStop);
  });
});
