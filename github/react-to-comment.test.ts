import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createGitHubClient } from "./create-github-client.ts";
import { createCommentReactor } from "./react-to-comment.ts";

const TOKEN = "ghp_test_token";
let github: GitHubApiDouble;

beforeEach(async () => {
  github = await startGitHubApiDouble({ tokens: [TOKEN] });
  github.addRepository("acme/api");
  github.addPullRequest("acme/api", 7);
});
afterEach(async () => {
  await github.close();
});

const reactor = () => {
  const log = createRecordingLogger();
  const client = createGitHubClient({
    auth: { token: TOKEN },
    baseUrl: github.baseUrl,
    log,
    retryAfterBaseMs: 1,
    retries: 0,
  });
  return createCommentReactor(client, log);
};

describe("createCommentReactor", () => {
  it("adds the reaction to the comment that asked", async () => {
    const comment = github.addComment("acme/api", 7, "/stackfork deploy");
    await reactor()("acme/api", comment.id, "+1");
    const posted = github.requests.filter(
      (r) => r.method === "POST" && r.path.endsWith(`/comments/${comment.id}/reactions`),
    );
    expect(posted.map((r) => r.body)).toEqual([{ content: "+1" }]);
  });

  it("never throws: an unknown comment or GitHub down is only logged", async () => {
    const react = reactor();
    await expect(react("acme/api", 999_999, "-1")).resolves.toBeUndefined();
    await github.close();
    await expect(react("acme/api", 1, "confused")).resolves.toBeUndefined();
  });
});
