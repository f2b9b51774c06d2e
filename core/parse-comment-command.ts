import type { CommentCommand } from "./intent.ts";

export type ParsedComment =
  /** No line of the comment starts with `/stackfork`. */
  | { type: "none" }
  | { type: "command"; command: CommentCommand }
  /** `/stackfork <word>` with a word we do not know: maybe another tool's, so not an error. */
  | { type: "unknown"; word: string }
  /** A known command with a bad argument: worth telling the author. */
  | { type: "invalid"; problem: string };

const PREFIX = "/stackfork";
const HOURS_PER_UNIT: Record<string, number> = { m: 1 / 60, h: 1, d: 24, w: 168 };
const DURATION = /^([1-9][0-9]{0,5})([mhdw])$/;
/** A commit named by a prefix of its SHA, at least as long as GitHub shows it. */
const COMMIT_PREFIX = /^[0-9a-f]{7,40}$/i;

/**
 * Reads the first line of a comment that starts with `/stackfork`:
 * `/stackfork deploy [<sha>] | redeploy | reseed | destroy | extend <duration>` (duration: `90m`, `2h`, `3d`, `1w`;
 * sha: 7 to 40 hex digits of the commit a fork's approval names).
 * A quoted line (`> /stackfork ...`, as a reply quotes) does not count. Anything after a command
 * that takes no argument makes it invalid, so `/stackfork destroy not yet` destroys nothing.
 * @example parseCommentCommand("/stackfork extend 2d") // { type: "command", command: { name: "extend", hours: 48 } }
 */
export function parseCommentCommand(body: string): ParsedComment {
  const line = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l === PREFIX || l.startsWith(`${PREFIX} `) || l.startsWith(`${PREFIX}\t`));
  if (line === undefined) return { type: "none" };
  const [, word = "", ...args] = line.split(/\s+/);
  const name = word.toLowerCase();
  if (name === "deploy") {
    const [commit, ...rest] = args;
    if (commit === undefined) return { type: "command", command: { name } };
    if (rest.length > 0 || !COMMIT_PREFIX.test(commit))
      return { type: "invalid", problem: "usage: /stackfork deploy [<commit SHA, 7 to 40 hex digits>]" };
    return { type: "command", command: { name, commit: commit.toLowerCase() } };
  }
  if (name === "redeploy" || name === "reseed" || name === "destroy") {
    if (args.length > 0) return { type: "invalid", problem: `/stackfork ${name} takes no argument` };
    return { type: "command", command: { name } };
  }
  if (name === "extend") {
    const match = args.length === 1 ? DURATION.exec(args[0]?.toLowerCase() ?? "") : null;
    const [, amount, unit] = match ?? [];
    if (!amount || !unit) return { type: "invalid", problem: "usage: /stackfork extend <duration>, e.g. 2h or 3d" };
    return { type: "command", command: { name: "extend", hours: Number(amount) * (HOURS_PER_UNIT[unit] ?? 0) } };
  }
  return { type: "unknown", word };
}
