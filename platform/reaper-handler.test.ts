import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsResources } from "../aws/aws-resources.ts";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { createAwsJobQueue } from "../queue/aws-job-queue.ts";
import { createDynamoDbRegistry } from "../registry/dynamodb-registry.ts";
import { createAwsTestResources } from "../test/support/aws-test-resources.ts";
import { createTaggedTable } from "../test/support/create-tagged-table.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { createReaperHandler } from "./reaper-handler.ts";

const TOKEN = "ghp_reaper";
const sha = (n: number) => n.toString(16).padStart(40, "0");

// The reaper Lambda's run on the emulator, with GitHub's API played by the double: the reconcile
// step goes through the same reconciler `stackfork serve` runs, on the DynamoDB reconciliation store;
// the orphans step finds the copies' tagged resources through the Tagging API.
describe("the reaper handler", () => {
  let work: string;
  let github: GitHubApiDouble;
  let aws: { prefix: string; resources: AwsResources; clients: AwsClients };
  let repo: string;
  let reaper: ReturnType<typeof createReaperHandler>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-reaper-"));
    aws = await createAwsTestResources("reaper");
    // Unique per run: the emulator's other tagged resources belong to other repositories.
    repo = `acme/${aws.prefix}`;
    github = await startGitHubApiDouble({ tokens: [TOKEN] });
    github.addRepository(repo);
    github.setBranch(repo, "main", sha(1));
    github.setBranch(repo, "kept", sha(2));
    reaper = createReaperHandler({
      ...process.env,
      STACKFORK_STORE: "aws",
      STACKFORK_AWS_PREFIX: aws.prefix,
      STACKFORK_DATA_DIR: path.join(work, "tmp-stackfork"),
      STACKFORK_CONFIG_JSON: JSON.stringify({
        repositories: [{ name: repo, target: "aws", defaultBranch: "main" }],
        reconcileIntervalSeconds: 300,
      }),
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: github.baseUrl,
      LOG_LEVEL: "error",
    });
  });
  afterAll(async () => {
    await github?.close();
    aws?.clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("reconciles when due (a deleted branch's environment destroyed), not again within the interval, and counts cloud orphans", async () => {
    const registry = createDynamoDbRegistry({ clients: aws.clients, table: aws.resources.registryTable });
    const long = new Date(Date.now() - 3_600_000);
    const kept = await seedEnvironment(registry, { kind: "branch", repository: repo, branch: "kept" }, "ready", long, {
      commitSha: sha(2),
    });
    const gone = await seedEnvironment(registry, { kind: "branch", repository: repo, branch: "gone" }, "ready", long, {
      commitSha: sha(3),
    });
    const tagged = (environment: string, branch: string) =>
      createTaggedTable(aws.clients.dynamodb, { environment, repository: repo, branch });
    await tagged(kept.name, "kept");
    await tagged(`${aws.prefix}-lost`, "lost");

    const first = await reaper({});
    expect(first.errors).toEqual([]);
    expect(first.reconciled).toMatchObject({ reconciled: 1, deferred: 0, failed: 0, changes: 1 });
    // No stack in the state for either: `kept` is still ready (an orphan), `gone` is on its way out.
    expect(first.orphans).toEqual({ stacks: 0, environments: 1, resources: 1 });
    const queue = createAwsJobQueue({ clients: aws.clients, resources: aws.resources, log: createRecordingLogger() });
    expect((await queue.listPending(gone.id)).map((j) => j.type)).toEqual(["destroy"]);
    expect(await queue.listPending(kept.id)).toEqual([]);
    const events = await registry.listEvents(gone.id);
    expect(events.some((e) => e.actor === "stackfork" && e.message.includes("branch deleted"))).toBe(true);
    // What the reconciliation remembers, in the registry's table.
    const state = await aws.clients.documents.send(
      new GetCommand({ TableName: aws.resources.registryTable.name, Key: { pk: `RECONCILE#${repo}`, sk: "STATE" } }),
    );
    expect(state.Item?.repository).toBe(repo);

    github.requests.length = 0;
    const second = await reaper({});
    expect(second.errors).toEqual([]);
    expect(second.reconciled).toBeUndefined();
    expect(github.requests.filter((r) => /\/(branches|pulls)$/.test(r.path))).toEqual([]);
    await queue.close();
    await registry.close();
  });
});
