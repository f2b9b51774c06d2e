import { describe, expect, it } from "vitest";
import { matchBranchGlob } from "./match-branch-glob.ts";
import { type CopyConfigInputs, resolveCopyConfig } from "./resolve-copy-config.ts";

const base: CopyConfigInputs = {
  projectName: "acme-api",
  kind: "pull_request",
  branch: "feature/login",
  template: {
    "acme-api:logLevel": { value: "warn", secret: false },
    "acme-api:apiKey": { value: "prod-key", secret: true },
    "acme-api:paymentKey": { value: "sk_live_1", secret: true },
  },
  neverCopy: [],
  platform: [],
  repository: {},
  environment: [],
};
const sourceOf = (inputs: CopyConfigInputs, key: string) =>
  resolveCopyConfig(inputs).entries.find((entry) => entry.key === key);

describe("resolveCopyConfig", () => {
  it("starts from the template, secrets masked in the entries and kept in the values", () => {
    const { values, entries } = resolveCopyConfig(base);
    expect(values["acme-api:apiKey"]).toEqual({ value: "prod-key", secret: true });
    expect(entries).toContainEqual({ key: "acme-api:apiKey", value: "[secret]", secret: true, source: "template" });
    expect(entries).toContainEqual({ key: "acme-api:logLevel", value: "warn", secret: false, source: "template" });
  });

  it("platform over template, only where kind and branch glob match", () => {
    const platform: CopyConfigInputs["platform"] = [
      { kind: "pull_request", config: { logLevel: "info" } },
      { branch: "feature/*", config: { logLevel: "debug" } },
      { kind: "sandbox", config: { logLevel: "trace" } },
      { branch: "release/*", config: { memorySize: "1024" } },
    ];
    const inputs = { ...base, platform };
    expect(sourceOf(inputs, "acme-api:logLevel")).toEqual({
      key: "acme-api:logLevel",
      value: "debug",
      secret: false,
      source: "platform",
    });
    expect(sourceOf(inputs, "acme-api:memorySize")).toBeUndefined();
  });

  it("repository over platform", () => {
    const inputs = { ...base, platform: [{ config: { logLevel: "debug" } }], repository: { logLevel: "error" } };
    expect(sourceOf(inputs, "acme-api:logLevel")).toMatchObject({ value: "error", source: "repository" });
  });

  it("environment over repository, and a value over a secret stays secret", () => {
    const inputs = {
      ...base,
      repository: { logLevel: "error" },
      environment: [
        { key: "logLevel", value: "silly", secret: false },
        { key: "acme-api:apiKey", value: "mine", secret: false },
      ],
    };
    expect(sourceOf(inputs, "acme-api:logLevel")).toMatchObject({ value: "silly", source: "environment" });
    expect(resolveCopyConfig(inputs).values["acme-api:apiKey"]).toEqual({ value: "mine", secret: true });
  });

  it("never copies a never-copied key from the template; a preview value may still come from above", () => {
    const none = resolveCopyConfig({ ...base, neverCopy: ["paymentKey"] });
    expect(none.values["acme-api:paymentKey"]).toBeUndefined();
    expect(JSON.stringify(none)).not.toContain("sk_live_1");
    const preview = resolveCopyConfig({
      ...base,
      neverCopy: ["acme-api:paymentKey"],
      platform: [{ config: { paymentKey: "sk_test" } }],
    });
    expect(preview.values["acme-api:paymentKey"]).toEqual({ value: "sk_test", secret: false });
  });
});

describe("matchBranchGlob", () => {
  it.each([
    ["feature/*", "feature/login", true],
    ["feature/*", "feature/a/b", false],
    ["feature/**", "feature/a/b", true],
    ["fix-?", "fix-1", true],
    ["a.b", "axb", false],
    ["main", "main", true],
  ])("%s against %s: %s", (glob, branch, want) => {
    expect(matchBranchGlob(glob, branch)).toBe(want);
  });
});
