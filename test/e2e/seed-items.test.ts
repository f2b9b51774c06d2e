import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

// An items seed through a real `stackfork serve`: 1,000 NDJSON items from the branch go into the
// local copy's own table (dynalite inside the copy), named by the stack's `tableName` output.
describe("an items seed, end to end", () => {
  let work: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-e2e-seed-items-"));
    repo = createFixtureRepository(path.join(work, "repo"));
    mkdirSync(path.join(repo.dir, "seed"), { recursive: true });
    const lines = Array.from({ length: 1000 }, (_, n) => JSON.stringify({ id: `seed-${n}`, name: `seeded item ${n}` }));
    writeFileSync(path.join(repo.dir, "seed/items.ndjson"), `${lines.join("\n")}\n`);
    repo.addAll("seed items");
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [
        { name: REPO, localPath: repo.dir, seed: { items: "seed/items.ndjson", tableOutput: "tableName" } },
      ],
    });
    cliEnv = {
      STACKFORK_URL: server.baseUrl,
      STACKFORK_API_TOKEN: API_TOKEN,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STACKFORK_CONFIG: path.join(work, "data.config.json"),
    };
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("loads 1,000 NDJSON items into the local copy's table, counted through the copy's own URL, in the live log", async () => {
    const sha = repo.commit("items", "items");
    const push = await runCli(["simulate", "push", "--branch", "items", "--sha", sha, "--wait"], cliEnv, work);
    expect(push.code, `${push.stderr}\n${server.output.join("").slice(-3000)}`).toBe(0);
    const { environments } = await server.environments();
    const env = await server.environment(environments.find((e) => e.branch === "items")?.id ?? "");
    expect(env.status).toBe("ready");
    expect(env.outputs?.tableName).toBe(`${env.name}-items`);
    const url = String(env.outputs?.url);
    expect(await countItems(url)).toBe(1000);
    expect(await (await fetch(`${url}/items/seed-999`)).json()).toMatchObject({
      id: "seed-999",
      name: "seeded item 999",
    });
    const logs = await runCli(["logs", env.id], cliEnv, work);
    expect(logs.stdout).toContain(`seed: 1000 of 1000 items loaded into ${env.name}-items`);
    expect(env.events.filter((e) => e.type === "seed_succeeded")).toHaveLength(1);
  }, 300_000);
});
