import { describe, expect, it } from "vitest";
import { formatCommit, formatExpiry } from "./list-environments.ts";

describe("formatExpiry", () => {
  const now = Date.parse("2026-11-27T12:00:00Z");
  const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

  it("says when, in the largest units that matter, and never or due at the ends", () => {
    expect(formatExpiry(undefined, now)).toBe("never");
    expect(formatExpiry(at(-5), now)).toBe("due");
    expect(formatExpiry(at(0.5), now)).toBe("due");
    expect(formatExpiry(at(45), now)).toBe("in 45m");
    expect(formatExpiry(at(125), now)).toBe("in 2h 5m");
    expect(formatExpiry(at(72 * 60), now)).toBe("in 3d 0h");
    expect(formatExpiry(at(26 * 60 + 59), now)).toBe("in 1d 2h");
  });
});

describe("formatCommit", () => {
  const env = { commitSha: "1a2b3c4d".padEnd(40, "0") } as Parameters<typeof formatCommit>[0];
  it("marks a commit the last reconciliation saw its branch ahead of", () => {
    expect(formatCommit(env, undefined)).toBe("1a2b3c4");
    expect(formatCommit(env, { environment: "x", headSha: "5d6e7f8".padEnd(40, "0") })).toBe(
      "1a2b3c4 (behind 5d6e7f8)",
    );
  });
});
