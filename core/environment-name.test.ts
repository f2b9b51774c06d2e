import { describe, expect, it } from "vitest";
import type { EnvironmentIdentity } from "./environment.ts";
import { ENVIRONMENT_NAME_MAX_LENGTH, nameEnvironment, RESOURCE_SUFFIX_MAX_LENGTH } from "./environment-name.ts";

const branch = (name: string, repository = "acme/api"): EnvironmentIdentity => ({
  kind: "branch",
  repository,
  branch: name,
});
const valid = /^[a-z0-9]+(-[a-z0-9]+)*$/;

describe("nameEnvironment", () => {
  it("keeps a lossless slug readable and adds no hash", () => {
    expect(nameEnvironment(branch("feature-login"))).toBe("api-feature-login");
    expect(nameEnvironment({ kind: "pull_request", repository: "acme/api", pullRequest: 42, branch: "x" })).toBe(
      "api-pr-42",
    );
    expect(nameEnvironment({ kind: "sandbox", repository: "acme/api", owner: "Octocat", branch: "main" })).toBe(
      "api-sb-octocat",
    );
  });

  it("gives identities that slug alike distinct names", () => {
    const names = ["feature/a_b", "feature-a-b", "Feature-A-B", "feature/a-b", "feature--a-b", "féature-a-b"].map((b) =>
      nameEnvironment(branch(b)),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(valid);
  });

  it("keeps a branch named like a PR or sandbox apart from them", () => {
    const pr = nameEnvironment({ kind: "pull_request", repository: "acme/api", pullRequest: 5, branch: "x" });
    expect(nameEnvironment(branch("pr-5"))).not.toBe(pr);
    expect(nameEnvironment(branch("sb-octocat"))).not.toBe(
      nameEnvironment({ kind: "sandbox", repository: "acme/api", owner: "octocat", branch: "x" }),
    );
  });

  it("fits every AWS name built from it, for hostile and long names", () => {
    const hostile = [
      `feature/${"very-long-".repeat(20)}`,
      `x"; rm -rf / #'${"q".repeat(180)}`,
      "🚀/🔥",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion in a branch name, on purpose
      "$(touch${IFS}pwned)",
      "-leading-dash",
      "UPPER/Case_Mixed.dots",
    ];
    for (const b of hostile) {
      const name = nameEnvironment(branch(b));
      expect(name).toMatch(valid);
      expect(name.length).toBeLessThanOrEqual(ENVIRONMENT_NAME_MAX_LENGTH);
      expect(name.length + 1 + RESOURCE_SUFFIX_MAX_LENGTH).toBeLessThanOrEqual(63);
    }
  });

  it("is stable and honours a shorter maxLength", () => {
    const id = branch("feature/some-long-branch-name-for-testing");
    expect(nameEnvironment(id, { maxLength: 20 })).toBe(nameEnvironment(id, { maxLength: 20 }));
    expect(nameEnvironment(id, { maxLength: 20 }).length).toBeLessThanOrEqual(20);
  });

  it("appends the hash when forced, and the result differs from the plain name", () => {
    expect(nameEnvironment(branch("login"), { forceHash: true })).toMatch(/^api-login-[0-9a-f]{8}$/);
  });
});
