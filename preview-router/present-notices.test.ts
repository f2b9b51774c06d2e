import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import { createGitHubClient } from "../github/create-github-client.ts";
import { createGitHubNotifier } from "../github/create-github-notifier.ts";
import { environmentCommentMarker } from "../github/render-environment-comment.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createPreviewAddresses } from "./create-preview-addresses.ts";
import { presentNotices } from "./present-notices.ts";

const TOKEN = "ghs_preview_test";
const REPO = "acme/shop";
const PR = 7;
const SHA = "4".repeat(40);

describe("GitHub notices of a local copy (through the GitHub API double)", () => {
  let github: GitHubApiDouble;
  beforeEach(async () => {
    github = await startGitHubApiDouble({ tokens: [TOKEN] });
    github.addRepository(REPO);
    github.addCommit(REPO, SHA);
    github.addPullRequest(REPO, PR);
  });
  afterEach(async () => github.close());

  it("show the routed preview address in the PR comment and as the deployment's environment_url", async () => {
    const log = createRecordingLogger();
    const client = createGitHubClient({
      auth: { token: TOKEN },
      baseUrl: github.baseUrl,
      log,
      retryAfterBaseMs: 1,
      writeIntervalMs: 0,
    });
    const addresses = createPreviewAddresses({ domain: "preview.acme.dev", port: 8443 });
    const notifier = presentNotices(createGitHubNotifier({ client, log }), addresses.present);
    const environment: Environment = {
      id: "shop-pr-7",
      name: "shop-pr-7",
      kind: "pull_request",
      repository: REPO,
      branch: "feature/cart",
      pullRequest: PR,
      status: "deploying",
      createdAt: "2026-03-01T00:00:00.000Z",
      updatedAt: "2026-03-01T00:00:00.000Z",
    };
    await notifier.notify({ environment, phase: "deploying", commitSha: SHA });
    await notifier.notify({
      environment: { ...environment, status: "ready", commitSha: SHA, url: "http://127.0.0.1:41234" },
      phase: "ready",
      commitSha: SHA,
    });

    const routed = "http://shop-pr-7.preview.acme.dev:8443";
    const comment = github.comments(REPO, PR).find((c) => c.body.startsWith(environmentCommentMarker("shop-pr-7")));
    expect(comment?.body).toContain(routed);
    expect(comment?.body).not.toContain("127.0.0.1:41234");
    const statuses = github.deployments(REPO).flatMap((d) => d.statuses);
    expect(statuses.find((s) => s.state === "success")?.environment_url).toBe(`${routed}/`);
    expect(log.records.filter((r) => r.level === "error")).toEqual([]);
  });

  it("leave an AWS copy's own URL as it is: it is not behind the router", () => {
    const addresses = createPreviewAddresses({ domain: "localhost", port: 8080 });
    const aws = "https://abc123.execute-api.eu-west-1.amazonaws.com";
    const shown = addresses.present({
      id: "shop-main",
      name: "shop-main",
      kind: "branch",
      repository: REPO,
      branch: "main",
      status: "ready",
      url: aws,
      createdAt: "2026-03-01T00:00:00.000Z",
      updatedAt: "2026-03-01T00:00:00.000Z",
    });
    expect(shown).toMatchObject({ url: aws, directUrl: aws });
  });
});
