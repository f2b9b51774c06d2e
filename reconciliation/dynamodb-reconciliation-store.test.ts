import { randomBytes } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { isStackforkError } from "../core/errors.ts";
import { createDynamoDbRegistry } from "../registry/dynamodb-registry.ts";
import { createAwsTestResources } from "../test/support/aws-test-resources.ts";
import { createDynamoDbReconciliationStore } from "./dynamodb-reconciliation-store.ts";
import { describeReconciliationStoreContract } from "./reconciliation-store-contract.ts";

const opened: AwsClients[] = [];
afterAll(() => {
  for (const clients of opened) clients.destroy();
});

/** A registry table of its own on the emulator, so every test starts empty. */
async function freshTable() {
  const { clients, resources } = await createAwsTestResources("reconcile");
  opened.push(clients);
  return { clients, table: resources.registryTable };
}

describeReconciliationStoreContract("dynamodb", async () => {
  const { clients, table } = await freshTable();
  return {
    store: createDynamoDbReconciliationStore({ clients, table }),
    reopen: async () => createDynamoDbReconciliationStore({ clients, table }),
  };
});

describe("createDynamoDbReconciliationStore", () => {
  it("shares the registry's table without showing in the registry's lists and counts", async () => {
    const { clients, table } = await freshTable();
    const store = createDynamoDbReconciliationStore({ clients, table });
    const registry = createDynamoDbRegistry({ clients, table });
    await registry.ensureEnvironment(
      { kind: "branch", repository: "acme/api", branch: "kept" },
      { status: "queued", now: new Date("2030-01-01T00:00:00.000Z") },
    );
    await store.saveRepository({ repository: "acme/api", lastChanges: [], branchPages: [], pullPages: [] });
    await store.saveDeliveryCheck({ hook: "app", requested: [] });
    const listed = await registry.listEnvironments({ includeDestroyed: true });
    expect(listed.environments.map((e) => e.branch)).toEqual(["kept"]);
    expect(await registry.countByStatus()).toEqual({ queued: 1 });
    const item = await clients.documents.send(
      new GetCommand({ TableName: table.name, Key: { pk: "RECONCILE#acme/api", sk: "STATE" } }),
    );
    expect(Object.keys(item.Item ?? {}).sort()).toEqual(["pk", "record", "repository", "sk"]);
  });

  it("lists with a GetItem and a BatchGetItem, never a Scan or a Query", async () => {
    const { clients, table } = await freshTable();
    const store = createDynamoDbReconciliationStore({ clients, table });
    for (let i = 0; i < 3; i++) {
      await store.saveRepository({ repository: `acme/r${i}`, lastChanges: [], branchPages: [], pullPages: [] });
    }
    const send = vi.spyOn(clients.documents, "send");
    expect((await store.listRepositories()).map((r) => r.repository)).toEqual(["acme/r0", "acme/r1", "acme/r2"]);
    expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(["GetCommand", "BatchGetCommand"]);
    send.mockRestore();
  });

  it("drops the pages' ETags of a record too large for one item, and keeps the rest", async () => {
    const { clients, table } = await freshTable();
    const store = createDynamoDbReconciliationStore({ clients, table });
    // Random names and SHAs: what compression cannot shrink, far over 400 KB with the pages.
    const random = () => ({ name: `b-${randomBytes(6).toString("hex")}`, sha: randomBytes(20).toString("hex") });
    const baseline = Object.fromEntries(Array.from({ length: 3000 }, random).map((b) => [b.name, b.sha]));
    const pages = Array.from({ length: 200 }, (_, p) => ({
      etag: `W/"${p}"`,
      hasNext: p < 199,
      items: Array.from({ length: 100 }, random),
    }));
    const big = { repository: "acme/huge", lastChanges: [], baseline, branchPages: pages, pullPages: [] };
    await store.saveRepository(big);
    const back = await store.getRepository("acme/huge");
    expect(back?.baseline).toStrictEqual(baseline);
    expect(back).toStrictEqual({ ...big, branchPages: [], pullPages: [] });

    const tooLarge = {
      ...big,
      baseline: Object.fromEntries(Array.from({ length: 20_000 }, random).map((b) => [b.name, b.sha])),
    };
    const error = await store.saveRepository(tooLarge).catch((e: unknown) => e);
    expect(isStackforkError(error, "AWS_REQUEST_FAILED")).toBe(true);
    expect(await store.getRepository("acme/huge")).toStrictEqual(back);
  });
});
