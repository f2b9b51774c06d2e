import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { requestUrl } from "../support/preview-harness.ts";
import { runCli } from "../support/run-cli.ts";
import { processesMentioning, stopProcessesMentioning } from "../support/stack-state.ts";

const REPO = "acme/api";

// `stackfork sandbox up|down` against a real `stackfork serve`: the real worker and pulumi engine
// deploy the sandbox, and the URL the command prints is the copy itself answering.
describe("sandboxes from the CLI, end to end", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-e2e-sandbox-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    server = await startEmbeddedServer({ dataDir, repositories: [{ name: REPO, localPath: repo.dir }] });
    // The CLI finds the server by URL and the token in the environment; it runs from a folder of its own.
    cliEnv = { STACKFORK_URL: server.baseUrl, STACKFORK_API_TOKEN: API_TOKEN, STACKFORK_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

  it("sandbox up --ref deploys the branch and ends with a URL that answers; sandbox down destroys it", async () => {
    const sha = repo.commit("feature/sandbox", "sandbox from a ref");
    const up = await runCli(
      ["sandbox", "up", "--owner", "octocat", "--repository", REPO, "--ref", "feature/sandbox"],
      cliEnv,
      work,
    );
    expect(up.code, `${up.stderr}\n${server.output.join("").slice(-3000)}`).toBe(0);
    const url = lastLine(up.stdout);
    // The routed preview address (preview-router/): Host-routed on the server's port.
    expect(url).toBe(`http://api-sb-octocat.localhost:${new URL(server.baseUrl).port}`);
    expect(up.stderr).toContain("api-sb-octocat: "); // progress lines (no TTY here: plain lines)
    const answer = JSON.parse((await requestUrl(`${url}/`)).body.toString());
    expect(answer).toMatchObject({ environment: "api-sb-octocat", branch: "feature/sandbox", commit: sha });

    const env = await server.environment("api-sb-octocat");
    expect(env).toMatchObject({ kind: "sandbox", owner: "octocat", status: "ready" });
    expect(env.events.find((e) => e.type === "deploy_requested")).toMatchObject({ actor: "api-token", via: "cli" });

    const down = await runCli(["sandbox", "down", "--owner", "octocat", "--repository", REPO], cliEnv, work);
    expect(down.code, down.stderr).toBe(0);
    expect((await server.environment("api-sb-octocat")).status).toBe("destroyed");
    expect((await requestUrl(`${url}/`)).status).toBe(404);
    expect(processesMentioning(path.join(dataDir, "copies", "api-sb-octocat"))).toEqual([]);
  });

  it("sandbox up --dir uploads the working tree (without node_modules and .git) and deploys exactly it", async () => {
    const tree = path.join(work, "working-tree");
    cpSync(repo.dir, tree, { recursive: true });
    writeFileSync(path.join(tree, "NOTE.txt"), "uncommitted change\n");
    const up = await runCli(["sandbox", "up", "--owner", "hubot", "--repository", REPO, "--dir", tree], cliEnv, work);
    expect(up.code, `${up.stderr}\n${server.output.join("").slice(-3000)}`).toBe(0);
    const url = lastLine(up.stdout);
    const answer = JSON.parse((await requestUrl(`${url}/`)).body.toString()) as { environment: string; commit: string };
    expect(answer.environment).toBe("api-sb-hubot");
    expect(answer.commit).toMatch(/^upload-[0-9a-f]{16}$/);
    const env = await server.environment("api-sb-hubot");
    expect(env).toMatchObject({ branch: "(working tree)", commitSha: answer.commit, status: "ready" });

    const down = await runCli(["sandbox", "down", "--owner", "hubot", "--repository", REPO], cliEnv, work);
    expect(down.code, down.stderr).toBe(0);
    expect(processesMentioning(path.join(dataDir, "copies", "api-sb-hubot"))).toEqual([]);
  });
});
