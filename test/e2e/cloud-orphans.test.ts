import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbRegistry } from "../../registry/dynamodb-registry.ts";
import { createAwsTestResources } from "../support/aws-test-resources.ts";
import { createTaggedTable } from "../support/create-tagged-table.ts";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../support/github-api-double.ts";
import { runCli } from "../support/run-cli.ts";
import { seedEnvironment } from "../support/seed-environment.ts";

const TOKEN = "ghp_cloud_orphans";
const sha = (n: number) => n.toString(16).padStart(40, "0");

// `stackfork serve` on STACKFORK_STORE=aws with a repository of target aws: the copies' tagged
// resources in the emulator, one with a live environment and one without -> one cloud orphan, in
// the API's answer and in `stackfork orphans`. The reconciliation's store is the DynamoDB one.
describe("cloud orphans through stackfork serve", () => {
  let work: string;
  let server: EmbeddedServer;
  let github: GitHubApiDouble;
  let aws: Awaited<ReturnType<typeof createAwsTestResources>>;
  let repo: string;
  let liveName: string;
  let lostArn: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-cloud-orphans-"));
    aws = await createAwsTestResources("cloud-orphans");
    // Unique per run: the emulator's other tagged resources belong to other repositories.
    repo = `acme/${aws.prefix}`;
    const registry = createDynamoDbRegistry({ clients: aws.clients, table: aws.resources.registryTable });
    const live = await seedEnvironment(
      registry,
      { kind: "branch", repository: repo, branch: "live" },
      "ready",
      new Date(),
    );
    await registry.close();
    liveName = live.name;
    await createTaggedTableOf(liveName, "live");
    lostArn = await createTaggedTableOf(`${aws.prefix}-lost`, "lost");

    github = await startGitHubApiDouble({ tokens: [TOKEN] });
    github.addRepository(repo);
    github.setBranch(repo, "main", sha(1));
    github.setBranch(repo, "live", sha(2));
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [{ name: repo, target: "aws" }],
      extraConfig: { reconcileIntervalSeconds: 0 },
      env: {
        STACKFORK_STORE: "aws",
        STACKFORK_AWS_PREFIX: aws.prefix,
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: github.baseUrl,
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await github?.close();
    aws?.clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  const createTaggedTableOf = (environment: string, branch: string) =>
    createTaggedTable(aws.clients.dynamodb, { environment, repository: repo, branch });

  it("GET /api/orphans and `stackfork orphans` list the resource whose environment is not live, and only it", async () => {
    const answer = (await (await fetch(`${server.baseUrl}/api/orphans`)).json()) as { resources: unknown[] };
    expect(answer.resources).toEqual([
      { arn: lostArn, environment: `${aws.prefix}-lost`, type: "dynamodb:table", repository: repo },
    ]);

    const cli = await runCli(["orphans"], { STACKFORK_URL: server.baseUrl, STACKFORK_API_TOKEN: API_TOKEN });
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout).toContain(lostArn);
    expect(cli.stdout).toContain(`${aws.prefix}-lost`);
    expect(cli.stdout).not.toContain(`table/${liveName}-items`);
    const json = await runCli(["orphans", "--json"], { STACKFORK_URL: server.baseUrl, STACKFORK_API_TOKEN: API_TOKEN });
    expect(JSON.parse(json.stdout).resources).toEqual(answer.resources);
  });

  it("keeps what reconciliation remembers in the registry's table (STACKFORK_STORE=aws)", async () => {
    const response = await fetch(`${server.baseUrl}/api/reconcile`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ repositories: [{ repository: repo, outcome: "reconciled" }] });
    const state = await aws.clients.documents.send(
      new GetCommand({ TableName: aws.resources.registryTable.name, Key: { pk: `RECONCILE#${repo}`, sk: "STATE" } }),
    );
    expect(state.Item?.repository).toBe(repo);
  });
});
