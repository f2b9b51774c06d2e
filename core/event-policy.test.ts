import { describe, expect, it } from "vitest";
import { examplePayload, pushPayload } from "../test/support/webhook-deliveries.ts";
import type { RepositoryConfig } from "./config.ts";
import { decideIntents } from "./event-policy.ts";

const repo: RepositoryConfig = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};
const find = (name: string) => (name.toLowerCase() === "acme/api" ? repo : undefined);
const decide = (name: string, payload: unknown) => decideIntents({ name, deliveryId: "d-1", payload }, find);
const SHA = "a".repeat(40);

describe("event policy for branches", () => {
  it("deploys a pushed branch at its head SHA, with who and why", () => {
    expect(decide("push", pushPayload("acme/api", "feature/x", SHA))).toEqual({
      intents: [
        {
          type: "deploy",
          identity: { kind: "branch", repository: "acme/api", branch: "feature/x" },
          commitSha: SHA,
          cause: { actor: "Codertocat", deliveryId: "d-1", message: "push to feature/x" },
        },
      ],
    });
  });

  it("destroys on delete and on a push that deletes", () => {
    const del = {
      ...examplePayload("delete"),
      ref: "feature/x",
      ref_type: "branch",
      repository: { full_name: "acme/api" },
    };
    expect(decide("delete", del)).toMatchObject({ intents: [{ type: "destroy" }] });
    expect(decide("push", pushPayload("acme/api", "feature/x", SHA, { deleted: true }))).toMatchObject({
      intents: [{ type: "destroy" }],
    });
  });

  it("deploys a created branch at its head, resolved later", () => {
    const created = {
      ...examplePayload("create"),
      ref: "feature/y",
      ref_type: "branch",
      repository: { full_name: "acme/api" },
    };
    const decision = decide("create", created);
    expect(decision).toMatchObject({ intents: [{ type: "deploy", identity: { branch: "feature/y" } }] });
    expect(
      "intents" in decision && decision.intents[0]?.type === "deploy" && decision.intents[0].commitSha,
    ).toBeFalsy();
  });

  it("ignores, with a reason, what is not a preview", () => {
    const cases: [string, unknown][] = [
      ["push", examplePayload("push", 0)], // a tag, of an unconfigured repository
      ["push", { ...pushPayload("acme/api", "x", SHA), ref: "refs/tags/v1" }],
      ["push", pushPayload("acme/api", "main", SHA)],
      ["push", pushPayload("other/repo", "feature", SHA)],
      ["create", { ...examplePayload("create"), repository: { full_name: "acme/api" } }], // a tag
      ["push", { ...pushPayload("acme/api", "x", SHA), after: "not-a-sha" }],
      ["ping", examplePayload("ping")],
      ["issues", {}],
      ["push", { nothing: true }],
    ];
    for (const [name, payload] of cases) {
      const decision = decide(name, payload);
      expect("ignored" in decision, `${name}: ${JSON.stringify(decision)}`).toBe(true);
    }
  });
});
