import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment } from "../../core/environment.ts";
import { isStackforkError } from "../../core/errors.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";
import { createSourceReader } from "../../source/create-source-reader.ts";
import { createFixtureRepository, type FixtureRepository } from "../../test/support/fixture-repository.ts";
import { createPulumiProvisioner } from "../create-pulumi-provisioner.ts";
import { openStack } from "../open-stack.ts";
import { type PulumiCli, requirePulumiCli } from "../pulumi-cli.ts";
import { stackPassphraseOf } from "../stack-paths.ts";

const PROJECT = "acme-shop";
const API_KEY = "prod-api-key-7f3a9c1e55";
const PAYMENT_KEY = "sk_live_payment_0a1b2c3d";
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

// A copy's config on the real engine: a template stack in the platform's own backend (its secret
// under its own passphrase), the branch's files, the platform's overrides, the environment's values.
describe("a copy's config from its template and overrides", () => {
  let work: string;
  let dataDir: string;
  let cli: PulumiCli;
  let repo: FixtureRepository;
  let provisioner: ReturnType<typeof createPulumiProvisioner>;
  const destroyed: Array<() => Promise<unknown>> = [];
  let deploys = 0;

  const engine = () => ({
    cli,
    stateDir: path.join(dataDir, "pulumi"),
    passphrase: "platform-passphrase",
    searchPath: process.env.PATH ?? "",
  });
  const repositoryWith = (extra: Partial<RepositoryConfig>): RepositoryConfig => ({
    name: "acme/shop",
    localPath: repo.dir,
    stackPath: "stacks/config-probe",
    defaultBranch: "main",
    target: "local",
    ttlHours: 0,
    ...extra,
  });
  const environmentOf = (name: string, kind: Environment["kind"] = "branch", branch = name): Environment => ({
    id: name,
    name,
    kind,
    repository: "acme/shop",
    branch,
    status: "deploying",
    createdAt: "2026-12-07T00:00:00.000Z",
    updatedAt: "2026-12-07T00:00:00.000Z",
  });
  async function deploy(
    environment: Environment,
    repository: RepositoryConfig,
    configOverrides: { key: string; value: string; secret: boolean }[] = [],
  ) {
    const lines: string[] = [];
    // A new branch starts from main as it is now (each test commits its files to main first).
    const commitSha = repo.commit(environment.branch, `deploy ${environment.name} #${++deploys}`);
    const result = await provisioner.deploy({
      environment,
      repository,
      commitSha,
      configOverrides,
      signal: new AbortController().signal,
      onOutput: (line) => lines.push(line),
      onRecovery: () => undefined,
    });
    destroyed.push(() =>
      provisioner.destroy({
        environment,
        repository,
        signal: new AbortController().signal,
        onOutput: () => undefined,
        onRecovery: () => undefined,
      }),
    );
    return { result, lines, values: result.outputs.values as Record<string, string> };
  }

  beforeAll(async () => {
    cli = requirePulumiCli(process.env);
    work = mkdtempSync(path.join(tmpdir(), "stackfork-copy-config-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    cpSync(
      path.join(import.meta.dirname, "../../test/fixtures/config-probe-stack"),
      path.join(repo.dir, "stacks/config-probe"),
      {
        recursive: true,
      },
    );
    repo.addAll("the config probe stack");
    provisioner = createPulumiProvisioner({
      engine: engine(),
      dataDir,
      readSource: createSourceReader({ sourcesDir: path.join(dataDir, "sources") }),
    });
    // Production's template stack, laid out as stackfork lays out its stacks: own backend, own passphrase.
    const prod = await openStack(
      { ...engine(), passphrase: stackPassphraseOf("platform-passphrase", PROJECT, "prod") },
      { projectName: PROJECT, stackName: "prod", program: async () => {} },
    );
    await prod.setAllConfig({
      [`${PROJECT}:logLevel`]: { value: "warn" },
      [`${PROJECT}:memorySize`]: { value: "2048" },
      [`${PROJECT}:region`]: { value: "eu-west-1" },
      [`${PROJECT}:debug`]: { value: "false" },
      [`${PROJECT}:apiKey`]: { value: API_KEY, secret: true },
      [`${PROJECT}:paymentKey`]: { value: PAYMENT_KEY, secret: true },
    });
  }, 60_000);

  afterAll(async () => {
    for (const destroy of destroyed) await destroy().catch(() => undefined);
    provisioner?.close?.();
    if (!process.env.KEEP_WORK) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it("copies a template stack's plain and secret values: the secret encrypted with the copy's own key, received by the program, never in a log", async () => {
    const environment = environmentOf("shop-template");
    const { result, lines, values } = await deploy(environment, repositoryWith({ template: { stack: "prod" } }));
    expect(values).toMatchObject({ logLevel: "warn", memorySize: "2048", region: "eu-west-1" });
    expect(result.outputs.apiKeySha256).toBe(sha256(API_KEY));
    expect(result.outputs.paymentKeySha256).toBe(sha256(PAYMENT_KEY));
    expect(result.config).toContainEqual({
      key: `${PROJECT}:apiKey`,
      value: "[secret]",
      secret: true,
      source: "template",
    });
    expect(result.config).toContainEqual({
      key: `${PROJECT}:logLevel`,
      value: "warn",
      secret: false,
      source: "template",
    });

    // The copy's settings hold the secret as ciphertext of its own passphrase; neither file holds it in clear.
    const settings = readFileSync(
      path.join(dataDir, "pulumi", "workspaces", PROJECT, environment.name, `Pulumi.${environment.name}.yaml`),
      "utf8",
    );
    expect(settings).toMatch(new RegExp(`${PROJECT}:apiKey:\\s*\\n\\s*secure: v1:`));
    const prodSettings = readFileSync(
      path.join(dataDir, "pulumi", "workspaces", PROJECT, "prod", "Pulumi.prod.yaml"),
      "utf8",
    );
    expect(settings).not.toContain(ciphertextOf(prodSettings, "apiKey")); // re-encrypted, not copied
    const stateDir = path.join(dataDir, "pulumi", "backend", PROJECT, environment.name);
    const state = readdirSync(stateDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".json"))
      .map((f) => readFileSync(path.join(stateDir, f), "utf8"))
      .join("\n");
    expect(state.length).toBeGreaterThan(100);
    for (const text of [settings, state, lines.join("\n")]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(PAYMENT_KEY);
    }
    expect(lines.join("\n")).toContain("careless program prints apiKey=[secret]");
    expect(lines).toContain("config template stack prod: 4 plain and 2 secret values");
  }, 120_000);

  it("takes keys a branch adds to Pulumi.prod.yaml, and that file's secure values from the stack prod", async () => {
    const file = [
      "config:",
      "  shop:logLevel: info",
      "  shop:addedInBranch: from-the-pr",
      "  shop:apiKey:",
      "    secure: v1:bm90LXRoZS1jb3B5J3M=",
      "",
    ].join("\n");
    writeFileSync(path.join(repo.dir, "stacks/config-probe/Pulumi.prod.yaml"), file);
    repo.addAll("a PR adds a key to production's config");
    const { values, result } = await deploy(
      environmentOf("shop-file"),
      repositoryWith({ template: { file: "Pulumi.prod.yaml" } }),
    );
    expect(values).toMatchObject({ logLevel: "info", addedInBranch: "from-the-pr", memorySize: "absent" });
    expect(result.outputs.apiKeySha256).toBe(sha256(API_KEY));
  }, 120_000);

  it("puts the platform's overrides over the template, the branch's file over them, the environment's values over all; never copies a never-copied key", async () => {
    mkdirSync(path.join(repo.dir, ".stackfork"), { recursive: true });
    writeFileSync(
      path.join(repo.dir, ".stackfork/config.json"),
      JSON.stringify({ config: { region: "us-east-1", debug: true } }),
    );
    repo.addAll("the branch's own config");
    const repository = repositoryWith({
      template: { stack: "prod" },
      neverCopy: ["paymentKey"],
      overrides: [
        { kind: "pull_request", config: { memorySize: "256" } },
        { branch: "feature/*", config: { logLevel: "debug", region: "ap-south-1" } },
        { branch: "release/*", config: { featureFlag: "on" } },
      ],
    });
    const environment = environmentOf("shop-pr-7", "pull_request", "feature/login");
    const { values, result, lines } = await deploy(environment, repository, [
      { key: "debug", value: "verbose", secret: false },
    ]);
    // template (region, memorySize, logLevel, debug) < platform (memorySize, logLevel, region) < repository (region, debug) < environment (debug)
    expect(values).toEqual({
      logLevel: "debug",
      memorySize: "256",
      region: "us-east-1",
      debug: "verbose",
      featureFlag: "absent",
      addedInBranch: "absent",
    });
    expect(result.outputs.paymentKeySha256).toBe("absent");
    const sourceOf = (key: string) => result.config?.find((entry) => entry.key === `${PROJECT}:${key}`)?.source;
    expect([sourceOf("apiKey"), sourceOf("logLevel"), sourceOf("region"), sourceOf("debug")]).toEqual([
      "template",
      "platform",
      "repository",
      "environment",
    ]);
    expect(sourceOf("paymentKey")).toBeUndefined();
    expect(lines.join("\n")).not.toContain(PAYMENT_KEY);
    const settings = readFileSync(
      path.join(dataDir, "pulumi", "workspaces", PROJECT, environment.name, `Pulumi.${environment.name}.yaml`),
      "utf8",
    );
    expect(settings).not.toContain("paymentKey");

    // The environment's value removed: the next deploy falls back to the branch's, and keeps no stale key.
    const again = await deploy(environment, repository, []);
    expect(again.values.debug).toBe("true");
  }, 180_000);

  it("reads a template stack made by hand with the platform's passphrase (as `pulumi` in its workspace makes it)", async () => {
    const handmade = await openStack(engine(), {
      projectName: PROJECT,
      stackName: "handmade",
      program: async () => {},
    });
    await handmade.setAllConfig({
      [`${PROJECT}:logLevel`]: { value: "error" },
      [`${PROJECT}:apiKey`]: { value: "handmade-secret-3c9d", secret: true },
    });
    const { values, result, lines } = await deploy(
      environmentOf("shop-handmade"),
      repositoryWith({ template: { stack: "handmade" } }),
    );
    expect(values.logLevel).toBe("error");
    expect(result.outputs.apiKeySha256).toBe(sha256("handmade-secret-3c9d"));
    expect(lines.join("\n")).not.toContain("handmade-secret-3c9d");
  }, 120_000);

  it("fails with COPY_CONFIG_UNAVAILABLE when the template stack does not exist", async () => {
    const err = await deploy(environmentOf("shop-missing"), repositoryWith({ template: { stack: "nope" } })).catch(
      (e: unknown) => e,
    );
    expect(isStackforkError(err, "COPY_CONFIG_UNAVAILABLE")).toBe(true);
  }, 60_000);
});

/** The `secure:` ciphertext of a key in a stack settings file. */
function ciphertextOf(settings: string, name: string): string {
  const match = new RegExp(`:${name}:\\s*\\n\\s*secure: (\\S+)`).exec(settings);
  if (!match?.[1]) throw new Error(`no secure value for ${name}`);
  return match[1];
}
