import { describe, expect, it } from "vitest";
import { createAuth } from "./create-auth.ts";

const now = new Date("2026-11-27T12:00:00Z");

describe("createAuth", () => {
  const auth = createAuth({ apiToken: "the-token", sessionHours: 1 });

  it("matches the token exactly, whatever the length of the candidate", () => {
    expect(auth.tokenMatches("the-token")).toBe(true);
    for (const wrong of [undefined, "", "the-toke", "the-token ", "x".repeat(10_000)])
      expect(auth.tokenMatches(wrong)).toBe(false);
  });

  it("accepts its own sessions until they expire, and refuses tampered or foreign ones", () => {
    const { cookie, maxAgeSeconds } = auth.issueSession(now);
    expect(maxAgeSeconds).toBe(3600);
    expect(auth.readSession(cookie, now)).toBeDefined();
    expect(auth.readSession(cookie, new Date(now.getTime() + 3_601_000))).toBeUndefined();
    const [expires, nonce, mac] = cookie.split(".");
    expect(auth.readSession(`${Number(expires) + 999_999}.${nonce}.${mac}`, now)).toBeUndefined();
    expect(auth.readSession(`${cookie}x`, now)).toBeUndefined();
    expect(createAuth({ apiToken: "rotated" }).readSession(cookie, now)).toBeUndefined();
  });

  it("binds CSRF tokens to their nonce", () => {
    const token = auth.csrfToken("session:a");
    expect(auth.csrfValid("session:a", token)).toBe(true);
    expect(auth.csrfValid("session:b", token)).toBe(false);
    expect(auth.csrfValid("session:a", undefined)).toBe(false);
    expect(auth.csrfValid(undefined, token)).toBe(false);
  });
});
