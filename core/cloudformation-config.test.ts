import { describe, expect, it } from "vitest";
import { requiredSourcePathOf } from "./cloudformation-config.ts";
import { loadConfig } from "./config.ts";
import { isStackforkError, type StackforkError } from "./errors.ts";

const load = (env: Record<string, string>, repositories: unknown[]) =>
  loadConfig({
    env,
    cwd: "/srv/app",
    readFile: (f) => (f === "/srv/app/stackfork.config.json" ? JSON.stringify({ repositories }) : undefined),
  });

function configError(fn: () => unknown): StackforkError {
  try {
    fn();
  } catch (err) {
    if (isStackforkError(err)) return err;
    throw err;
  }
  throw new Error("expected a CONFIG_INVALID error");
}

const contract = {
  name: "acme/shop",
  localPath: "/path/to/clone",
  target: "aws",
  cloudformation: {
    template: "template.yaml",
    urlOutput: "ApiUrl",
    productionStack: "shop-prod",
    parameters: { Stage: "preview" },
    capabilities: ["CAPABILITY_IAM"],
    build: { command: ["npx", "cdk", "synth", "-q"], template: "cdk.out/Shop.template.json" },
    allowFixedNames: false,
  },
};

describe("a repository's cloudformation block", () => {
  it("reads the issue's contract as written", () => {
    const [repository] = load({}, [contract]).repositories;
    expect(repository?.cloudformation).toEqual(contract.cloudformation);
  });

  it("needs only the template", () => {
    const [repository] = load({}, [
      { name: "acme/shop", target: "aws", cloudformation: { template: "t.json" } },
    ]).repositories;
    expect(repository?.cloudformation).toEqual({ template: "t.json" });
  });

  it("refuses stackPath beside cloudformation, and says why", () => {
    const err = configError(() => load({}, [{ ...contract, stackPath: "stacks/service" }]));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toContain("repositories.0.cloudformation: stackPath and cloudformation are exclusive");
  });

  it("refuses a Pulumi config template beside cloudformation (production's parameters are its template), takes the other copy-config keys", () => {
    const err = configError(() => load({}, [{ ...contract, template: { stack: "prod" } }]));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toContain("repositories.0.cloudformation: template and cloudformation are exclusive");
    const [repository] = load({}, [
      {
        ...contract,
        overrides: [{ branch: "feature/*", config: { Stage: "qa" } }],
        neverCopy: ["AlertWebhook"],
        seed: { command: ["node", "seed.mjs"] },
      },
    ]).repositories;
    expect(repository).toMatchObject({ neverCopy: ["AlertWebhook"], seed: { command: ["node", "seed.mjs"] } });
  });

  it("reports every problem of the block in one error", () => {
    const err = configError(() =>
      load({}, [
        {
          name: "acme/shop",
          target: "aws",
          cloudformation: {
            template: "../outside.yaml",
            capabilities: ["CAPABILITY_ROOT"],
            build: { command: [], template: "/etc/passwd" },
            parameters: { "bad name": "x" },
            unknown: 1,
          },
        },
      ]),
    );
    expect(err.code).toBe("CONFIG_INVALID");
    for (const where of [
      "cloudformation.template",
      "cloudformation.capabilities.0",
      "cloudformation.build.command",
      "cloudformation.build.template",
      "cloudformation.parameters.bad name",
      "cloudformation: Unrecognized key",
    ])
      expect(err.message).toContain(where);
  });

  it("is refused on the local target unless an AWS endpoint is configured", () => {
    const local = { name: "acme/shop", cloudformation: { template: "template.yaml" } };
    const err = configError(() => load({}, [local]));
    expect(err.message).toContain("acme/shop has a cloudformation stack and the local target");
    expect(load({ AWS_ENDPOINT_URL: "http://127.0.0.1:5000" }, [local]).repositories[0]?.cloudformation).toEqual({
      template: "template.yaml",
    });
  });

  it("says what an uploaded tree must hold: the template, or with a build only the tree", () => {
    expect(requiredSourcePathOf({ stackPath: "stacks/service" })).toBe("stacks/service");
    expect(requiredSourcePathOf({ stackPath: "stacks/service", cloudformation: { template: "t.yaml" } })).toBe(
      "t.yaml",
    );
    expect(
      requiredSourcePathOf({ stackPath: "stacks/service", cloudformation: { template: "t.yaml", build: {} } }),
    ).toBe(".");
  });
});
