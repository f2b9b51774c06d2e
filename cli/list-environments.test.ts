import { describe, expect, it } from "vitest";
import { formatExpiry } from "./list-environments.ts";

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
