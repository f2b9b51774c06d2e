import { describe, expect, it } from "vitest";
import { parseCommentCommand } from "./parse-comment-command.ts";

describe("parseCommentCommand", () => {
  it("reads the first /stackfork line of a comment", () => {
    expect(parseCommentCommand("/stackfork deploy")).toEqual({ type: "command", command: { name: "deploy" } });
    expect(parseCommentCommand("Thanks!\r\n  /stackfork   REDEPLOY  \n/stackfork destroy")).toEqual({
      type: "command",
      command: { name: "redeploy" },
    });
    expect(parseCommentCommand("/stackfork destroy")).toEqual({ type: "command", command: { name: "destroy" } });
  });

  it("reads extend durations in minutes, hours, days and weeks", () => {
    const hours = (body: string) => {
      const parsed = parseCommentCommand(body);
      return parsed.type === "command" && parsed.command.name === "extend" ? parsed.command.hours : undefined;
    };
    expect([hours("/stackfork extend 90m"), hours("/stackfork extend 2h"), hours("/stackfork extend 3d")]).toEqual([
      1.5, 2, 72,
    ]);
    expect(hours("/stackfork extend 1W")).toBe(168);
  });

  it("reads the commit a deploy names: a prefix of 7 to 40 hex digits, lowercased", () => {
    expect(parseCommentCommand("/stackfork deploy ABCDEF1")).toEqual({
      type: "command",
      command: { name: "deploy", commit: "abcdef1" },
    });
    const full = "0123456789abcdef0123456789abcdef01234567";
    expect(parseCommentCommand(`/stackfork deploy ${full}`)).toEqual({
      type: "command",
      command: { name: "deploy", commit: full },
    });
    for (const bad of [
      "/stackfork deploy abcdef",
      "/stackfork deploy abcdefg",
      `/stackfork deploy ${full}0`,
      "/stackfork deploy abcdef1 now",
      "/stackfork deploy main",
    ]) {
      expect(parseCommentCommand(bad).type, bad).toBe("invalid");
    }
  });

  it("tells apart no command, another tool's word, and a bad argument", () => {
    expect(parseCommentCommand("looks good")).toEqual({ type: "none" });
    expect(parseCommentCommand("/stackforkdeploy")).toEqual({ type: "none" });
    expect(parseCommentCommand("> /stackfork deploy")).toEqual({ type: "none" });
    expect(parseCommentCommand("/stackfork help")).toMatchObject({ type: "unknown", word: "help" });
    for (const bad of [
      "/stackfork",
      "/stackfork extend",
      "/stackfork extend 0h",
      "/stackfork extend 2",
      "/stackfork extend -2h",
      "/stackfork extend 2h 3h",
      "/stackfork destroy not yet",
    ]) {
      expect(parseCommentCommand(bad).type, bad).toBe(bad === "/stackfork" ? "unknown" : "invalid");
    }
  });
});
