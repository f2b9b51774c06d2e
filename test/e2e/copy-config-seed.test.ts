import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer, WEBHOOK_SECRET } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { runCli } from "../support/run-cli.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";

const REPO = "acme/api";

/** Every item of a copy, counted through its own URL, page by page. */
async function countItems(url: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = (await (await fetch(`${url}/items?limit=100${cursor ? `&cursor=${cursor}` : ""}`)).json()) as {
      items: unknown[];
      cursor?: string;
    };
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

// Seeds and config overrides through a real `stackfork serve`: the seed command runs in the job's
// sandbox after the first deploy, fills the local copy through its URL, and runs again on reseed;
// an override set from the CLI redeploys the copy and shows with its source.
describe("a copy's seed and its own config, end to end", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-e2e-seed-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    mkdirSync(path.join(repo.dir, "scripts"), { recursive: true });
    cpSync(
      path.join(import.meta.dirname, "../fixtures/seed-scripts/seed.mjs"),
      path.join(repo.dir, "scripts/seed.mjs"),
    );
    repo.addAll("a seed step");
    server = await startEmbeddedServer({
      dataDir,
      repositories: [
        {
          name: REPO,
          localPath: repo.dir,
          seed: { command: ["node", "scripts/seed.mjs"] },
          overrides: [{ branch: "feature/*", config: { logLevel: "debug" } }],
        },
      ],
    });
    cliEnv = {
      STACKFORK_URL: server.baseUrl,
      STACKFORK_API_TOKEN: API_TOKEN,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STACKFORK_CONFIG: path.join(work, "data.config.json"),
    };
  });
  /** The environment of a branch (its name carries a hash: `/` is lost in slugging), with its history. */
  async function environmentOf(branch: string) {
    const { environments } = await server.environments();
    const found = environments.find((e) => e.branch === branch);
    if (!found) throw new Error(`no environment for ${branch}`);
    return server.environment(found.id);
  }
  /** The copy's own URL (its `url` output), not the preview router's. */
  const copyUrlOf = (env: { outputs?: Record<string, unknown> }) => String(env.outputs?.url);

  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("seeds 1,000 items once after the first deploy, in the live log, without the platform's secrets; a reseed runs it again", async () => {
    const sha = repo.commit("feature/seeded", "seeded");
    const push = await runCli(["simulate", "push", "--branch", "feature/seeded", "--sha", sha, "--wait"], cliEnv, work);
    expect(push.code, `${push.stderr}\n${server.output.join("").slice(-3000)}`).toBe(0);
    const env = await environmentOf("feature/seeded");
    const url = copyUrlOf(env);
    expect(await countItems(url)).toBe(1000);

    expect(env.status).toBe("ready");
    const types = env.events.map((e) => e.type);
    expect(types.filter((t) => t === "seed_succeeded")).toHaveLength(1);
    const logs = await runCli(["logs", env.id], cliEnv, work);
    expect(logs.stdout).toContain(`seeding ${env.name} at ${url}`);
    expect(logs.stdout).toContain(`seeded 1000 items into ${env.name}`);
    expect(logs.stdout).toContain("platform token visible: false");

    // A second deploy does not seed again.
    const again = repo.commit("feature/seeded", "seeded, again");
    const second = await runCli(
      ["simulate", "push", "--branch", "feature/seeded", "--sha", again, "--wait"],
      cliEnv,
      work,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(await countItems(url)).toBe(1000);

    const reseed = await runCli(["reseed", env.id], cliEnv, work);
    expect(reseed.code, `${reseed.stderr}\n${server.output.join("").slice(-3000)}`).toBe(0);
    expect(await countItems(url)).toBe(2000);
    const after = await server.environment(env.id);
    expect(after.events.filter((e) => e.type === "seed_succeeded")).toHaveLength(2);
    expect(after.events.find((e) => e.type === "seed_requested")).toMatchObject({ actor: "api-token", via: "cli" });
  }, 300_000);

  it("a failing seed leaves the copy up and the environment failed with SEED_FAILED and the seed's output", async () => {
    writeFileSync(path.join(repo.dir, "scripts/seed-fails"), "yes\n");
    repo.addAll("a seed that fails");
    const sha = repo.commit("feature/broken-seed", "broken seed");
    const push = await runCli(
      ["simulate", "push", "--branch", "feature/broken-seed", "--sha", sha, "--wait"],
      cliEnv,
      work,
    );
    expect(push.code).toBe(1);
    expect(push.stderr).toContain("SEED_FAILED");
    const env = await environmentOf("feature/broken-seed");
    expect(env).toMatchObject({ status: "failed", lastError: { code: "SEED_FAILED" } });
    expect((await fetch(`${copyUrlOf(env)}/`)).status).toBe(200); // the copy stays up
    expect(env.events.find((e) => e.type === "seed_failed")).toMatchObject({ errorCode: "SEED_FAILED" });
    const logs = await runCli(["logs", env.id], cliEnv, work);
    expect(logs.stdout).toContain("cannot seed: the fixture says so");
  }, 300_000);

  // On the copy the first test deployed and seeded (tests of this file run in order).
  it("an override set with `stackfork config set` redeploys the copy and shows as the environment's, secrets masked", async () => {
    const env = await environmentOf("feature/seeded");
    const deploysBefore = env.events.filter((e) => e.type === "deploy_succeeded").length;
    const set = await runCli(["config", "set", env.id, "memorySize=256"], cliEnv, work);
    expect(set.code, `${set.stderr}\n${server.output.join("").slice(-3000)}`).toBe(0);
    const secret = await runCli(["config", "set", env.id, "apiKey=preview-key-5e2a91", "--secret"], cliEnv, work);
    expect(secret.code, secret.stderr).toBe(0);
    const after = await server.environment(env.id);
    expect(after.events.filter((e) => e.type === "deploy_succeeded").length).toBe(deploysBefore + 2);

    const detail = (await (await fetch(`${server.baseUrl}/api/environments/${env.id}`)).json()) as {
      config: { key: string; value: string; secret: boolean; source: string }[];
    };
    expect(detail.config).toEqual([
      { key: "acme-api:apiKey", value: "[secret]", secret: true, source: "environment" },
      { key: "acme-api:logLevel", value: "debug", secret: false, source: "platform" },
      { key: "acme-api:memorySize", value: "256", secret: false, source: "environment" },
    ]);
    const ls = await runCli(["config", "ls", env.id], cliEnv, work);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/acme-api:memorySize\s+256\s+environment/);
    expect(ls.stdout).not.toContain("preview-key-5e2a91");
    const logs = await runCli(["logs", env.id], cliEnv, work);
    expect(logs.stdout).not.toContain("preview-key-5e2a91");
  }, 300_000);
});
