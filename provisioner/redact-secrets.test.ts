import { describe, expect, it } from "vitest";
import { createSecretRedactor, REDACTED } from "./redact-secrets.ts";

describe("createSecretRedactor", () => {
  it("replaces every known secret, longest first, and leaves short values and other text alone", () => {
    const redact = createSecretRedactor(["s3cr3t-token", "s3cr3t-token-and-more", "abc", undefined]);
    expect(redact("token=s3cr3t-token-and-more; again s3cr3t-token")).toBe(`token=${REDACTED}; again ${REDACTED}`);
    expect(redact("abc stays: too short to be told from a word")).toBe("abc stays: too short to be told from a word");
  });

  it("passes lines through when it knows no secret", () => {
    expect(createSecretRedactor([])("anything")).toBe("anything");
  });
});
