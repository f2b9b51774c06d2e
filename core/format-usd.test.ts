import { describe, expect, it } from "vitest";
import { formatUsd } from "./format-usd.ts";

describe("formatUsd", () => {
  it("shows a cost below a cent by its significant digits, never as $0.00", () => {
    expect(formatUsd(0.0003)).toBe("$0.0003");
    expect(formatUsd(0.00047)).toBe("$0.00047");
    expect(formatUsd(0.0099)).toBe("$0.0099");
    expect(formatUsd(0.000004)).toBe("$0.000004");
    expect(formatUsd(3e-9)).toBe("<$0.000001");
  });

  it("shows exactly nothing as $0, and cents from a cent up", () => {
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(0.01)).toBe("$0.01");
    expect(formatUsd(3.0349)).toBe("$3.03");
    expect(formatUsd(1204.5)).toBe("$1,204.50");
    expect(formatUsd(Number.NaN)).toBe("—");
  });
});
