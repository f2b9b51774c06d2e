import { describe, expect, it } from "vitest";
import { resolveConfigOverrides } from "../core/resolve-copy-config.ts";
import type { Template } from "./read-template.ts";
import { resolveParameters } from "./resolve-parameters.ts";

const template: Template = {
  Parameters: {
    Stage: { Type: "String" },
    Size: { Type: "Number", Default: 1 },
    Password: { Type: "String", NoEcho: true },
    Token: { Type: "String", NoEcho: true, Default: "{{resolve:secretsmanager:token}}" },
    New: { Type: "String", Default: "x" },
    Webhook: { Type: "String" },
    LogLevel: { Type: "String" },
  },
  Resources: {},
};
const production = {
  Stage: "prod",
  Size: "3",
  Token: "****",
  Webhook: "https://alerts.example/prod",
  LogLevel: "warn",
  Dropped: "y",
};
/** The platform's side of a CloudFormation copy: its config over production, as the provisioner resolves it. */
const overridesOf = (layers: Partial<Parameters<typeof resolveConfigOverrides>[0]> = {}) =>
  resolveConfigOverrides({
    projectName: undefined,
    kind: "pull_request",
    branch: "feature/login",
    platform: [],
    repository: {},
    environment: [],
    ...layers,
  });

describe("resolveParameters", () => {
  it("starts from production's values for what the template declares, overrides on top, sources named", () => {
    const resolved = resolveParameters(
      template,
      { ...production, Password: "****" },
      overridesOf({ platform: [{ config: { Stage: "preview", Password: "from-config" } }] }),
    );
    expect(resolved.values).toEqual({
      Stage: "preview",
      Size: "3",
      Password: "from-config",
      Webhook: "https://alerts.example/prod",
      LogLevel: "warn",
    });
    expect(resolved.entries).toEqual([
      { key: "LogLevel", value: "warn", secret: false, source: "template" },
      { key: "Password", value: "[secret]", secret: true, source: "platform" },
      { key: "Size", value: "3", secret: false, source: "template" },
      { key: "Stage", value: "preview", secret: false, source: "platform" },
      { key: "Webhook", value: "https://alerts.example/prod", secret: false, source: "template" },
    ]);
    expect(resolved.secretKeys).toEqual(["Password"]);
  });

  it("takes the usual order: production < platform (by kind, by branch glob) < the branch's file < the environment", () => {
    const overrides = overridesOf({
      platform: [
        { config: { Stage: "preview", LogLevel: "info", Size: "2" } },
        { kind: "pull_request", config: { Size: "1" } },
        { branch: "feature/*", config: { LogLevel: "debug" } },
        { branch: "release/*", config: { Stage: "never" } },
      ],
      repository: { LogLevel: "trace", Stage: "branch" },
      environment: [{ key: "Stage", value: "mine", secret: false }],
    });
    const { values, entries } = resolveParameters(template, production, overrides);
    expect(values).toMatchObject({
      Size: "1",
      LogLevel: "trace",
      Stage: "mine",
      Webhook: "https://alerts.example/prod",
    });
    const sourceOf = (key: string) => entries.find((entry) => entry.key === key)?.source;
    expect(["Webhook", "Size", "LogLevel", "Stage"].map(sourceOf)).toEqual([
      "template",
      "platform",
      "repository",
      "environment",
    ]);
  });

  it("keeps keys as parameter names: no Pulumi namespace", () => {
    const { entries } = resolveParameters(template, production, overridesOf({ repository: { Stage: "x" } }));
    expect(entries.map((entry) => entry.key)).not.toContainEqual(expect.stringContaining(":"));
  });

  it("masks a NoEcho parameter whichever source gives it, and a value set --secret", () => {
    const { entries, secretKeys } = resolveParameters(
      template,
      production,
      overridesOf({
        repository: { Password: "from-branch" },
        environment: [{ key: "Stage", value: "hidden", secret: true }],
      }),
    );
    expect(entries).toContainEqual({ key: "Password", value: "[secret]", secret: true, source: "repository" });
    expect(entries).toContainEqual({ key: "Stage", value: "[secret]", secret: true, source: "environment" });
    expect(secretKeys.sort()).toEqual(["Password", "Stage"]);
    expect(JSON.stringify(entries)).not.toContain("from-branch");
  });

  it("never copies a never-copied parameter: the template's Default applies, or an override", () => {
    const defaulted = resolveParameters(template, production, overridesOf(), ["Size"]);
    expect(defaulted.values.Size).toBeUndefined(); // left out: CloudFormation takes Default 1
    const overridden = resolveParameters(
      template,
      production,
      overridesOf({ platform: [{ config: { Webhook: "https://alerts.example/preview" } }] }),
      ["Webhook"],
    );
    expect(overridden.entries).toContainEqual({
      key: "Webhook",
      value: "https://alerts.example/preview",
      secret: false,
      source: "platform",
    });
  });

  it("refuses a never-copied parameter with neither a Default nor an override, naming it", () => {
    expect(() => resolveParameters(template, production, overridesOf(), ["Webhook"])).toThrow(
      expect.objectContaining({
        code: "PARAMETER_UNAVAILABLE",
        message: expect.stringMatching(/^Webhook: never copied/),
      }),
    );
  });

  it("refuses a NoEcho parameter with neither an override nor a Default, naming it and the fix", () => {
    expect(() => resolveParameters(template, { Stage: "prod", Password: "****" })).toThrow(
      expect.objectContaining({ code: "PARAMETER_UNAVAILABLE", message: expect.stringMatching(/^Password: NoEcho/) }),
    );
  });

  it("refuses an override of a parameter the template does not declare, naming its source", () => {
    expect(() =>
      resolveParameters(
        template,
        undefined,
        overridesOf({ environment: [{ key: "Nope", value: "b", secret: false }] }),
      ),
    ).toThrow(
      expect.objectContaining({
        code: "TEMPLATE_INVALID",
        message: expect.stringContaining("Nope (from the environment's own values)"),
      }),
    );
  });

  it("without a production stack, gives only the overrides", () => {
    expect(
      resolveParameters(template, undefined, overridesOf({ platform: [{ config: { Stage: "a" } }] })).values,
    ).toEqual({
      Stage: "a",
    });
  });
});
