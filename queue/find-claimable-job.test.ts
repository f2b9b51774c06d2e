import { describe, expect, it } from "vitest";
import { findClaimableJob } from "./find-claimable-job.ts";

const now = 1_000;
const queued = (runAfter: number) => ({ state: "queued" as const, runAfter });
const leased = (leaseExpiresAt: number) => ({ state: "running" as const, runAfter: 0, leaseExpiresAt });

describe("findClaimableJob", () => {
  it("finds nothing in an environment with no job", () => {
    expect(findClaimableJob([], now)).toBeUndefined();
  });

  it("takes the first job once its runAfter is reached, never a later one", () => {
    const first = queued(now);
    expect(findClaimableJob([first, queued(0)], now)).toBe(first);
    expect(findClaimableJob([queued(now + 1), queued(0)], now)).toBeUndefined();
  });

  it("takes a running job again only once its lease expired", () => {
    const expired = leased(now);
    expect(findClaimableJob([expired], now)).toBe(expired);
    expect(findClaimableJob([leased(now + 1)], now)).toBeUndefined();
  });

  it("takes nothing while another job of the environment is under a live lease", () => {
    expect(findClaimableJob([queued(0), leased(now + 1)], now)).toBeUndefined();
    const first = queued(0);
    expect(findClaimableJob([first, leased(now)], now)).toBe(first);
  });
});
