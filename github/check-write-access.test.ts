import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isStackforkError } from "../core/errors.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createWriteAccessCheck } from "./check-write-access.ts";
import { createGitHubClient } from "./create-github-client.ts";

const TOKEN = "ghp_test_token";
let github: GitHubApiDouble;

beforeEach(async () => {
  github = await startGitHubApiDouble({ tokens: [TOKEN] });
  github.addRepository("acme/api");
  github.setPermission("acme/api", "maintainer", "maintain");
  github.setPermission("acme/api", "writer", "write");
  github.setPermission("acme/api", "triager", "triage");
});
afterEach(async () => {
  await github.close();
});

const check = () =>
  createWriteAccessCheck(
    createGitHubClient({
      auth: { token: TOKEN },
      baseUrl: github.baseUrl,
      log: createRecordingLogger(),
      retryAfterBaseMs: 1,
      retries: 0,
    }),
  );

describe("createWriteAccessCheck", () => {
  it("grants write, maintain and admin; refuses triage, read and strangers", async () => {
    const canWrite = check();
    expect(await canWrite("acme/api", "writer")).toBe(true);
    expect(await canWrite("acme/api", "Maintainer")).toBe(true);
    expect(await canWrite("acme/api", "triager")).toBe(false);
    expect(await canWrite("acme/api", "stranger")).toBe(false);
  });

  it("throws GITHUB_UNAVAILABLE when GitHub cannot answer, so the command is refused", async () => {
    const canWrite = check();
    await github.close();
    const err = await canWrite("acme/api", "writer").catch((e: unknown) => e);
    expect(isStackforkError(err, "GITHUB_UNAVAILABLE")).toBe(true);
  });
});
