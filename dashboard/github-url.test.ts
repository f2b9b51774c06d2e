import { describe, expect, it } from "vitest";
import { githubUrl } from "./github-url.ts";

describe("githubUrl", () => {
  it("encodes each segment of a branch, so a name cannot change where the link goes", () => {
    expect(githubUrl("acme/api", { branch: "feature/a b?#x" })).toBe(
      "https://github.com/acme/api/tree/feature/a%20b%3F%23x",
    );
  });

  it("never climbs out of the repository with a `..` segment", () => {
    expect(githubUrl("acme/api", { branch: "../../evil" })).toBe("https://github.com/acme/api/tree/%2E%2E/%2E%2E/evil");
  });

  it("links pull requests and commits, and not what GitHub does not have", () => {
    expect(githubUrl("acme/api", { pullRequest: 7 })).toBe("https://github.com/acme/api/pull/7");
    expect(githubUrl("acme/api", { commit: "abc1234" })).toBe("https://github.com/acme/api/commit/abc1234");
    expect(githubUrl("acme/api", { commit: "upload-0123456789abcdef" })).toBeUndefined();
    expect(githubUrl("acme/api", { branch: "(working tree)" })).toBeUndefined();
  });
});
