import { describe, expect, it } from "vitest";
import { describeTakeover } from "./describe-takeover.ts";

describe("describeTakeover", () => {
  it("says whose expired lease a claim of a running job takes over, and when it ran out", () => {
    expect(describeTakeover({ state: "running", leaseOwner: "w1", leaseExpiresAt: 60_000 })).toEqual({
      owner: "w1",
      leaseExpiredAt: "1970-01-01T00:01:00.000Z",
    });
  });

  it("says nothing for a queued job: no engine of another holder can still be running", () => {
    expect(describeTakeover({ state: "queued" })).toBeUndefined();
  });
});
