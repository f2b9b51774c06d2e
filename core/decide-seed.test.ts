import { describe, expect, it } from "vitest";
import { isSeedDue, seedVariablesOf } from "./decide-seed.ts";
import { parseCommentCommand } from "./parse-comment-command.ts";

describe("isSeedDue", () => {
  it("seeds after the first successful deploy, not after later ones, and again once a reseed is asked", () => {
    expect(isSeedDue([{ type: "deploy_requested" }, { type: "deploy_started" }])).toBe(true);
    expect(isSeedDue([{ type: "seed_started" }, { type: "seed_succeeded" }, { type: "deploy_succeeded" }])).toBe(false);
    expect(isSeedDue([{ type: "seed_failed" }, { type: "deploy_started" }])).toBe(false);
    expect(isSeedDue([{ type: "seed_succeeded" }, { type: "seed_requested" }, { type: "deploy_started" }])).toBe(true);
    expect(isSeedDue([{ type: "seed_requested" }, { type: "seed_succeeded" }])).toBe(false);
  });
});

describe("seedVariablesOf", () => {
  it("names each output in upper snake case, strings as they are, others as JSON, secrets left out", () => {
    expect(
      seedVariablesOf(
        { url: "http://127.0.0.1:4001", tableName: "api-items", apiKey: "[secret]", port: 4001, "api-url": "x" },
        "api-feature",
      ),
    ).toEqual({
      STACKFORK_ENVIRONMENT: "api-feature",
      STACKFORK_OUTPUT_URL: "http://127.0.0.1:4001",
      STACKFORK_OUTPUT_TABLE_NAME: "api-items",
      STACKFORK_OUTPUT_PORT: "4001",
      STACKFORK_OUTPUT_API_URL: "x",
    });
  });
});

describe("/stackfork reseed", () => {
  it("is a command that takes no argument", () => {
    expect(parseCommentCommand("/stackfork reseed")).toEqual({ type: "command", command: { name: "reseed" } });
    expect(parseCommentCommand("/stackfork reseed now")).toMatchObject({ type: "invalid" });
  });
});
