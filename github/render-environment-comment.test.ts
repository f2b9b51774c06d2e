import { describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import type { EnvironmentNotice } from "./notifier.ts";
import { environmentCommentMarker, renderEnvironmentComment } from "./render-environment-comment.ts";

const SHA = "abcdef0123456789abcdef0123456789abcdef01";
const environment: Environment = {
  id: "env-7",
  name: "api-pr-7",
  kind: "pull_request",
  repository: "acme/api",
  branch: "feature/x",
  pullRequest: 7,
  status: "ready",
  url: "https://preview.acme.test/api-pr-7",
  commitSha: SHA,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
  expiresAt: "2025-01-04T09:30:00.000Z",
};

function render(notice: Partial<EnvironmentNotice> & { phase: EnvironmentNotice["phase"] }, logUrl?: string) {
  return renderEnvironmentComment({
    notice: { environment, ...notice },
    updatedAt: new Date("2025-01-01T12:34:56Z"),
    webUrl: "https://github.com",
    logUrl,
  });
}

/** The fenced blocks of a body, with the fence that opened each. */
function fencedBlocks(body: string): { fence: string; text: string }[] {
  return [...body.matchAll(/^(`{3,})text\n([\s\S]*?)\n\1$/gm)].map((m) => ({ fence: m[1] ?? "", text: m[2] ?? "" }));
}

describe("renderEnvironmentComment", () => {
  it("starts with the marker and shows status, preview, short linked commit, update time and expiry", () => {
    const body = render({ phase: "ready", commitSha: SHA }, "https://stackfork.acme.test/environments/env-7");
    expect(body.startsWith(`${environmentCommentMarker("env-7")}\n`)).toBe(true);
    expect(body).toContain("https://preview.acme.test/api-pr-7");
    expect(body).toContain(`[\`abcdef0\`](https://github.com/acme/api/commit/${SHA})`);
    expect(body).toContain("2025-01-01 12:34 UTC");
    expect(body).toContain("2025-01-04 09:30 UTC");
    expect(body).toContain("(https://stackfork.acme.test/environments/env-7)");
  });

  it("shows the error code, a visible message and the log tail in a collapsed block", () => {
    const body = render({
      phase: "failed",
      commitSha: SHA,
      error: { code: "DEPLOY_FAILED", message: "update failed" },
      logTail: ["line one", "\u001b[31mred line\u001b[0m"],
    });
    expect(body).toContain("`DEPLOY_FAILED`");
    expect(body).toMatch(/<details>[\s\S]*<\/details>/);
    expect(fencedBlocks(body).map((b) => b.text)).toEqual(["update failed", "line one\nred line"]);
  });

  it("keeps the message of a code not marked visible out of the comment", () => {
    const body = render({
      phase: "failed",
      error: { code: "CONFIG_INVALID", message: "secret path /etc/stackfork/key" },
      logTail: [],
    });
    expect(body).toContain("`CONFIG_INVALID`");
    expect(body).not.toContain("/etc/stackfork/key");
    expect(body).not.toContain("<details>");
  });

  it("fences a log tail longer than any backtick run inside it, so no line can close it", () => {
    const body = render({
      phase: "failed",
      error: { code: "DEPLOY_FAILED", message: "x" },
      logTail: ["```", "</details>", "````` five"],
    });
    const tail = fencedBlocks(body).at(-1);
    expect(tail?.fence).toBe("``````");
    expect(tail?.text).toBe("```\n</details>\n````` five");
  });

  it("drops a preview URL that is not http(s)", () => {
    const body = render({ phase: "ready", environment: { ...environment, url: "javascript:alert(1)" } });
    expect(body).not.toContain("javascript:");
  });

  it("shows no preview or commit once destroyed", () => {
    const body = render({ phase: "destroyed", environment: { ...environment, url: undefined } });
    expect(body).not.toContain("preview.acme.test");
    expect(body).not.toContain("/commit/");
  });

  it("says why it was destroyed, in one table cell that no branch name can break out of", () => {
    const body = render({
      phase: "destroyed",
      environment: { ...environment, url: undefined },
      reason: "expired at 2025-01-04T09:30:00.000Z (extend it to keep it longer)",
    });
    expect(body).toContain("| **Why** | expired at 2025-01-04T09:30:00.000Z (extend it to keep it longer) |");
    const hostile = render({
      phase: "destroyed",
      reason: "branch evil|`x`<img src=x>\n| **Status** | fake | deleted",
    });
    const why = hostile.split("\n").filter((line) => line.startsWith("| **Why**"));
    expect(why).toEqual([
      "| **Why** | branch evil\\|\\`x\\`\\<img src=x\\> \\| \\*\\*Status\\*\\* \\| fake \\| deleted |",
    ]);
    expect(hostile.match(/\| \*\*Status\*\*/g)).toHaveLength(1);
  });

  it("says who did the last change when a person or a named token asked, linked, never a mention", () => {
    const destroyed = render({ phase: "destroyed", by: { actor: "octocat", via: "cli" } });
    expect(destroyed).toContain("| **Destroyed by** | [@octocat](https://github.com/octocat) (via cli) |");
    expect(render({ phase: "ready", by: { actor: "token:deploy-bot", via: "api" } })).toContain(
      "| **Asked by** | token `deploy-bot` (via api) |",
    );
    expect(render({ phase: "deploying", by: { actor: "api-token", via: "page" } })).toContain(
      "| **Asked by** | the API token (via page) |",
    );
    // The platform's own work (expiry, reconciliation) names nobody: its reason says why.
    expect(render({ phase: "destroyed", reason: "expired" })).not.toMatch(/by\*\*/);
  });

  it("names the commit that waits for approval and the command that approves exactly it", () => {
    const body = render({
      phase: "awaiting_approval",
      commitSha: SHA,
      environment: { ...environment, url: undefined },
    });
    expect(body).toContain(`[\`abcdef0\`](https://github.com/acme/api/commit/${SHA})`);
    expect(body).toContain("`/stackfork deploy abcdef0`");
  });

  it("says which commit an approval approved, and which later one still waits", () => {
    const later = "0123456789abcdef0123456789abcdef01234567";
    const body = render({
      phase: "approved",
      commitSha: SHA,
      awaitingCommitSha: later,
      reason: "approved by @maintainer (label stackfork:approved)",
    });
    expect(body).toContain(`[\`abcdef0\`](https://github.com/acme/api/commit/${SHA})`);
    expect(body).toContain("`/stackfork deploy 0123456`");
    expect(body).toContain("approved by @maintainer (label stackfork:approved)");
  });
});
