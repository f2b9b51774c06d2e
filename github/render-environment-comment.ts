import { errorCatalogue } from "../core/errors.ts";
import { formatUsd } from "../core/format-usd.ts";
import type { EnvironmentNotice } from "./notifier.ts";

export interface EnvironmentCommentInput {
  notice: EnvironmentNotice;
  /** When this update is written. */
  updatedAt: Date;
  /** https://github.com, or the GitHub Enterprise host: for the commit link. */
  webUrl: string;
  /** The environment's page on the dashboard (history and engine log), when stackfork has a public address. */
  logUrl?: string;
}

/** Lines of the engine log shown on failure; each is cut to MAX_LINE characters. */
const MAX_LOG_LINES = 40;
const MAX_LINE = 300;
const MAX_MESSAGE = 2000;

const HEADLINES: Record<EnvironmentNotice["phase"], string> = {
  deploying: "🔄 Deploying",
  ready: "✅ Ready",
  failed: "❌ Failed",
  destroyed: "🗑️ Destroyed",
  awaiting_approval: "⏸️ Awaiting approval",
  approved: "👍 Approved",
};

/** The row that shows a notice's `reason`, by phase: a job's reason, an approval, a refused one. */
const REASON_ROWS: Partial<Record<EnvironmentNotice["phase"], string>> = {
  destroyed: "Why",
  approved: "Approval",
  awaiting_approval: "Last approval",
};
const SHA = /^[0-9a-f]{7,40}$/;

/**
 * The hidden first line that finds an environment's sticky comment again. Only a comment that
 * starts with it counts, so a person quoting the comment does not take its place.
 */
export function environmentCommentMarker(environmentId: string): string {
  return `<!-- stackfork:environment=${environmentId} -->`;
}

/** The body of an environment's one PR comment, rewritten in place at every change. */
export function renderEnvironmentComment({ notice, updatedAt, webUrl, logUrl }: EnvironmentCommentInput): string {
  const { environment, phase } = notice;
  const headline = HEADLINES[phase];
  const rows: [string, string][] = [["Status", headline]];

  const preview = httpUrl(environment.url);
  if (preview && phase !== "destroyed") {
    const note = phase === "ready" ? "" : " (the last successful deploy)";
    rows.push(["Preview", `${preview}${note}`]);
  }
  // A CloudFormation copy (cloudformation/): its stack, linked to the AWS console.
  const stackName = environment.outputs?.stackName;
  const consoleUrl = httpUrl(
    typeof environment.outputs?.consoleUrl === "string" ? environment.outputs.consoleUrl : undefined,
  );
  if (typeof stackName === "string" && consoleUrl && phase !== "destroyed")
    rows.push(["CloudFormation stack", `[\`${stackName.replaceAll("`", "")}\`](${consoleUrl})`]);
  const sha = phase === "destroyed" ? undefined : (notice.commitSha ?? environment.commitSha);
  if (sha && SHA.test(sha)) {
    const commitUrl = `${webUrl}/${environment.repository}/commit/${sha}`;
    rows.push(["Commit", `[\`${sha.slice(0, 7)}\`](${commitUrl})`]);
  } else if (phase === "deploying") {
    rows.push(["Commit", `head of \`${environment.branch.replaceAll("`", "")}\``]);
  }
  // Who opens a preview link and finds it gone learns why: expired, branch deleted, closed...
  const reasonRow = REASON_ROWS[phase];
  if (reasonRow && notice.reason?.trim()) rows.push([reasonRow, tableCell(notice.reason)]);
  // Who did it (issue 22), when a person or a named token asked: "Destroyed by @octocat (via cli)".
  if (notice.by) rows.push([phase === "destroyed" ? "Destroyed by" : "Asked by", renderActor(notice.by, webUrl)]);
  // What the copy costs (issue 21), once measured: idle is the serverless argument, said plainly.
  if (environment.cost && phase !== "destroyed") {
    const { idleMonthlyUsd, last24hUsd, estimated, measuredAt } = environment.cost;
    const line = `idle ${formatUsd(idleMonthlyUsd)}/month · last 24 h ${formatUsd(last24hUsd)}`;
    // The comment is rewritten when the environment changes, not at every measurement: say when.
    const when = `measured ${formatTime(measuredAt)}`;
    rows.push(["Cost", estimated ? `${line} (estimated: what it would cost on AWS; ${when})` : `${line} (${when})`]);
  }
  rows.push(["Updated", formatTime(updatedAt.toISOString())]);
  if (environment.expiresAt && phase !== "destroyed") rows.push(["Expires", formatTime(environment.expiresAt)]);
  const logs = httpUrl(logUrl);
  if (logs) rows.push(["Logs", `[history and engine log](${logs})`]);

  const parts = [
    environmentCommentMarker(environment.id),
    `### ${headline}: preview environment \`${environment.name}\``,
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([name, value]) => `| **${name}** | ${value} |`),
  ];
  if (phase === "awaiting_approval") parts.push("", ...renderApprovalHelp(sha));
  if (phase === "approved" && notice.awaitingCommitSha && SHA.test(notice.awaitingCommitSha)) {
    const later = notice.awaitingCommitSha.slice(0, 7);
    parts.push("", `\`${later}\` was pushed since and waits for its own approval: \`/stackfork deploy ${later}\`.`);
  }
  if (phase === "failed" && notice.error) parts.push("", ...renderError(notice.error, notice.logTail ?? []));
  parts.push("", "<sub>stackfork edits this comment in place at every change of the environment.</sub>");
  return `${parts.join("\n")}\n`;
}

/**
 * A fork's code runs only at a commit someone with write access approved, that exact commit: the
 * comment names it, so an approval written after a later push cannot approve that push unseen.
 */
function renderApprovalHelp(sha: string | undefined): string[] {
  const lines = ["A pull request from a fork deploys only a commit someone with write access approved."];
  if (sha && SHA.test(sha)) {
    const short = sha.slice(0, 7);
    lines.push(
      `Review \`${short}\` (the stack program and the lockfile included), then comment \`/stackfork deploy ${short}\` to approve exactly that commit;`,
      "or add the approval label, which approves the head commit at the moment it is added.",
    );
  } else {
    lines.push("Comment `/stackfork deploy <commit SHA>`, or add the approval label.");
  }
  return [lines.join("\n")];
}

/** A GitHub login as a link to its profile, not a mention: each edit of the comment would notify them. */
function renderActor(by: NonNullable<EnvironmentNotice["by"]>, webUrl: string): string {
  // core/principal.ts actorOf: a login, `token:<name>`, or `api-token`.
  const login = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(by.actor) && by.actor !== "api-token" ? by.actor : undefined;
  const who = login
    ? `[@${login}](${webUrl}/${login})`
    : by.actor === "api-token"
      ? "the API token"
      : `token \`${by.actor.replace(/^token:/, "").replace(/[^A-Za-z0-9._-]/g, "")}\``;
  return `${who} (via ${by.via})`;
}

function renderError(error: { code: string; message: string }, logTail: string[]): string[] {
  const entry = (errorCatalogue as Record<string, { visible: boolean; summary: string } | undefined>)[error.code];
  const lines = [`**Error** \`${error.code.replace(/[^A-Z0-9_]/gi, "")}\`${entry ? `: ${entry.summary}` : ""}`];
  // Only messages of codes marked `visible` may leave the platform (core/errors.ts).
  if (entry?.visible && error.message.trim() !== "") {
    lines.push("", codeBlock(clean(error.message).slice(0, MAX_MESSAGE)));
  }
  const tail = logTail.slice(-MAX_LOG_LINES).map((line) => clean(line).slice(0, MAX_LINE));
  if (tail.length > 0) {
    lines.push(
      "",
      `<details><summary>The last ${tail.length} lines of the engine log</summary>`,
      "",
      codeBlock(tail.join("\n")),
      "",
      "</details>",
    );
  }
  return lines;
}

/** A fence longer than any run of backticks inside, so no log line can close it early. */
function codeBlock(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}

/** Text in a table cell: one line, no cell break, no Markdown or HTML of its own, not too long. */
function tableCell(text: string): string {
  const line = clean(text).replace(/\s+/g, " ").trim().slice(0, MAX_LINE);
  return line.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

/** Terminal colours and other control characters mean nothing in a comment. */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
}

function httpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    // A `|` would end the table cell; `(`/`)` the Markdown link.
    const safe = url.href.replaceAll("|", "%7C").replaceAll("(", "%28").replaceAll(")", "%29");
    return url.protocol === "http:" || url.protocol === "https:" ? safe : undefined;
  } catch {
    return undefined;
  }
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
