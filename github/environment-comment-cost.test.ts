import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import type { EnvironmentCost } from "../core/environment-cost.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createGitHubClient } from "./create-github-client.ts";
import { createGitHubNotifier } from "./create-github-notifier.ts";
import { environmentCommentMarker, renderEnvironmentComment } from "./render-environment-comment.ts";

const TOKEN = "ghs_cost_line_test";
const SHA = "4".repeat(40);
const cost: EnvironmentCost = {
  idleMonthlyUsd: 0,
  last24hUsd: 0.0004,
  last30dUsd: 0.0031,
  lifeUsd: 0.0031,
  alwaysOnMonthlyUsd: 6.1,
  estimated: false,
  measuredAt: "2025-01-01T12:00:00.000Z",
};
const environment: Environment = {
  id: "env-pr-9",
  name: "api-pr-9",
  kind: "pull_request",
  repository: "acme/api",
  branch: "feature/cost",
  pullRequest: 9,
  status: "ready",
  url: "http://127.0.0.1:4000/",
  commitSha: SHA,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
};

const render = (env: Environment, phase: "ready" | "destroyed" = "ready") =>
  renderEnvironmentComment({
    notice: { environment: env, phase, commitSha: SHA },
    updatedAt: new Date("2025-01-01T12:34:56Z"),
    webUrl: "https://github.com",
  });

describe("the cost line of the PR comment", () => {
  it("says idle per month and the last 24 hours once measured, sub-cent figures as they are", () => {
    const body = render({ ...environment, cost });
    expect(body).toContain("| **Cost** | idle $0/month · last 24 h $0.0004 (measured 2025-01-01 12:00 UTC) |");
    expect(body).not.toContain("$0.00 ");
  });

  it("marks a copy on this machine as an estimate, and says nothing before a measurement or once destroyed", () => {
    expect(render({ ...environment, cost: { ...cost, estimated: true, idleMonthlyUsd: 0.00002 } })).toContain(
      "| **Cost** | idle $0.00002/month · last 24 h $0.0004 (estimated: what it would cost on AWS; measured 2025-01-01 12:00 UTC) |",
    );
    expect(render(environment)).not.toContain("**Cost**");
    expect(render({ ...environment, cost }, "destroyed")).not.toContain("**Cost**");
  });

  describe("through the GitHub double", () => {
    let github: GitHubApiDouble;
    beforeEach(async () => {
      github = await startGitHubApiDouble({ tokens: [TOKEN] });
      github.addRepository("acme/api");
      github.addCommit("acme/api", SHA);
      github.setBranch("acme/api", "feature/cost", SHA);
      github.addPullRequest("acme/api", 9);
    });
    afterEach(async () => github.close());

    it("writes the line into the sticky comment, and edits it in place when the cost is measured", async () => {
      const log = createRecordingLogger();
      const client = createGitHubClient({ auth: { token: TOKEN }, baseUrl: github.baseUrl, log, writeIntervalMs: 0 });
      const notifier = createGitHubNotifier({ client, log });
      const ours = () =>
        github.comments("acme/api", 9).filter((c) => c.body.startsWith(environmentCommentMarker("env-pr-9")));
      await notifier.notify({ environment, phase: "ready", commitSha: SHA });
      expect(ours()).toHaveLength(1);
      expect(ours()[0]?.body).not.toContain("**Cost**");
      await notifier.notify({ environment: { ...environment, cost }, phase: "ready", commitSha: SHA });
      expect(ours()).toHaveLength(1);
      expect(ours()[0]?.body).toContain(
        "| **Cost** | idle $0/month · last 24 h $0.0004 (measured 2025-01-01 12:00 UTC) |",
      );
      expect(log.records.filter((r) => r.level === "error")).toEqual([]);
    });
  });
});
