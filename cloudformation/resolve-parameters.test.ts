import { describe, expect, it } from "vitest";
import type { Template } from "./read-template.ts";
import { resolveParameters } from "./resolve-parameters.ts";

const template: Template = {
  Parameters: {
    Stage: { Type: "String" },
    Size: { Type: "Number", Default: 1 },
    Password: { Type: "String", NoEcho: true },
    Token: { Type: "String", NoEcho: true, Default: "{{resolve:secretsmanager:token}}" },
    New: { Type: "String", Default: "x" },
  },
  Resources: {},
};

describe("resolveParameters", () => {
  it("starts from production's values for what the template declares, overrides on top", () => {
    const resolved = resolveParameters(
      template,
      { Stage: "prod", Size: "3", Password: "****", Token: "****", Dropped: "y" },
      { Stage: "preview", Password: "from-config" },
    );
    expect(resolved.values).toEqual({ Stage: "preview", Size: "3", Password: "from-config" });
    expect(resolved.sources).toEqual({ Stage: "override", Size: "production", Password: "override" });
    expect(resolved.secretKeys).toEqual(["Password"]);
  });

  it("refuses a NoEcho parameter with neither an override nor a Default, naming it and the fix", () => {
    expect(() => resolveParameters(template, { Stage: "prod", Password: "****" })).toThrow(
      expect.objectContaining({ code: "PARAMETER_UNAVAILABLE", message: expect.stringMatching(/^Password: NoEcho/) }),
    );
  });

  it("refuses an override of a parameter the template does not declare", () => {
    expect(() => resolveParameters(template, undefined, { Stage: "a", Nope: "b" })).toThrow(
      expect.objectContaining({ code: "TEMPLATE_INVALID" }),
    );
  });

  it("without a production stack, gives only the overrides", () => {
    expect(resolveParameters(template, undefined, { Stage: "a" }).values).toEqual({ Stage: "a" });
  });
});
