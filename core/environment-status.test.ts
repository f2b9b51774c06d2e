import { describe, expect, it } from "vitest";
import { assertTransition, canTransition } from "./environment-status.ts";
import { isStackforkError } from "./errors.ts";

describe("environment status machine", () => {
  it("allows the lifecycle of a branch copy", () => {
    for (const [from, to] of [
      ["queued", "deploying"],
      ["deploying", "ready"],
      ["ready", "queued"],
      ["deploying", "failed"],
      ["ready", "destroying"],
      ["destroying", "destroyed"],
      ["destroyed", "queued"],
      ["awaiting_approval", "queued"],
    ] as const) {
      expect(canTransition(from, to), `${from} -> ${to}`).toBe(true);
    }
  });

  it("refuses illegal changes with INVALID_TRANSITION", () => {
    for (const [from, to] of [
      ["destroyed", "ready"],
      ["destroyed", "deploying"],
      ["destroying", "ready"],
      ["queued", "ready"],
    ] as const) {
      let thrown: unknown;
      try {
        assertTransition(from, to);
      } catch (err) {
        thrown = err;
      }
      expect(isStackforkError(thrown, "INVALID_TRANSITION"), `${from} -> ${to}`).toBe(true);
    }
  });
});
