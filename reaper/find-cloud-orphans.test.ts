import { randomBytes } from "node:crypto";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { createTaggingClient } from "../aws/create-aws-clients.ts";
import { listTaggedResources } from "../aws/list-tagged-resources.ts";
import { createDynamoDbRegistry } from "../registry/dynamodb-registry.ts";
import type { Registry } from "../registry/registry.ts";
import { buildTags } from "../stacks/service/aws/build-tags.ts";
import { createAwsTestResources } from "../test/support/aws-test-resources.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { COPY_TAGS, findCloudOrphans } from "./find-cloud-orphans.ts";

const t0 = new Date("2030-01-01T00:00:00.000Z");

// Resources as a copy of stacks/service creates them: tagged by build-tags.ts, in the emulator.
describe("findCloudOrphans, with the Tagging API of the emulator", () => {
  let clients: AwsClients;
  let registry: Registry;
  const tagging = createTaggingClient();
  // Unique per run: the emulator's other tagged resources belong to other repositories.
  const run = randomBytes(4).toString("hex");
  const repo = `acme/orphans-${run}`;
  const localRepo = `acme/local-${run}`;
  const repositories = [
    { name: repo.toUpperCase(), target: "aws" as const },
    { name: localRepo, target: "local" as const },
  ];

  beforeAll(async () => {
    const aws = await createAwsTestResources("cloud-orphans");
    clients = aws.clients;
    registry = createDynamoDbRegistry({ clients, table: aws.resources.registryTable });
  });
  afterAll(async () => {
    await registry?.close();
    clients?.destroy();
    tagging.destroy();
  });

  async function tableOf(environment: string, repository = repo): Promise<string> {
    const tags = buildTags({ environment, repository, branch: "b", commit: "c".repeat(40), target: "aws" });
    const output = await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: `${environment}-${randomBytes(2).toString("hex")}`,
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    return output.TableDescription?.TableArn as string;
  }
  const tagged = () =>
    listTaggedResources(tagging, [{ key: COPY_TAGS.managedBy, values: ["stackfork"] }, { key: COPY_TAGS.environment }]);

  it("reports exactly the resource whose environment is not live: not the live one's, not other repositories'", async () => {
    const live = await seedEnvironment(registry, { kind: "branch", repository: repo, branch: "live" }, "ready", t0);
    await tableOf(live.name);
    const lost = await tableOf(`orphans-${run}-lost`);
    // A local-target repository's and an unknown repository's: not ours to judge.
    await tableOf(`local-${run}-x`, localRepo);
    await tableOf(`other-${run}-x`, `someone/else-${run}`);

    expect(await findCloudOrphans(registry, await tagged(), repositories)).toEqual([
      { arn: lost, environment: `orphans-${run}-lost`, type: "dynamodb:table", repository: repo },
    ]);
  });

  it("reports a destroyed environment's resources, and none when no repository has target aws", async () => {
    const destroyed = await seedEnvironment(
      registry,
      { kind: "branch", repository: repo, branch: "destroyed" },
      "destroyed",
      t0,
    );
    const left = await tableOf(destroyed.name);
    const found = await findCloudOrphans(registry, await tagged(), repositories);
    expect(found.find((o) => o.environment === destroyed.name)).toEqual({
      arn: left,
      environment: destroyed.name,
      type: "dynamodb:table",
      repository: repo,
    });
    expect(await findCloudOrphans(registry, await tagged(), [{ name: repo, target: "local" }])).toEqual([]);
  });
});
