import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path.ts";

describe("safeNextPath", () => {
  it("keeps a path, query and fragment of this server as they are", () => {
    for (const next of [
      "/",
      "/environments/api-x",
      "/?repository=acme%2Fapi&status=ready",
      "/environments/a?job=j-1#log",
    ])
      expect(safeNextPath(next), next).toBe(next);
  });

  it("sends anything that could leave this origin, or that a browser could rewrite so, to /", () => {
    for (const next of [
      undefined,
      "",
      "//evil.example",
      "//evil.example/",
      "/\\evil.example",
      "\\/evil.example",
      "/%09/evil.example",
      "/\t/evil.example",
      "/%5C/evil.example",
      "/%5c%5cevil.example",
      "/%2F/evil.example",
      "/%2f%2fevil.example",
      "/.//evil.example",
      "/%2e//evil.example",
      "/\n/evil.example",
      "/%0a/evil.example",
      "/%00",
      "/x%7F",
      "https://evil.example",
      "http:/evil.example",
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " /x",
      "evil.example",
      `/${"a".repeat(3000)}`,
    ]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBe("/");
    }
  });
});
