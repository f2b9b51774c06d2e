import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { TableDefinition } from "../aws/aws-resources.ts";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import type { EnvironmentIdentity } from "../core/environment.ts";
import { nameEnvironment } from "../core/environment-name.ts";
import { isStackforkError } from "../core/errors.ts";
import { createAwsTestResources } from "../test/support/aws-test-resources.ts";
import { describeAccessStoreContract } from "./access-store-contract.ts";
import { describeCostStoreContract } from "./cost-store-contract.ts";
import { createDynamoDbRegistry, type DynamoDbRegistryOptions } from "./dynamodb-registry.ts";
import { registryKeys, toEnvironmentItem } from "./dynamodb-registry-items.ts";
import { describeRegistryContract } from "./registry-contract.ts";

const opened: AwsClients[] = [];
afterAll(() => {
  for (const clients of opened) clients.destroy();
});

/** A registry table of its own on the emulator, so every test starts empty. */
async function freshTable(): Promise<{ clients: AwsClients; table: TableDefinition }> {
  const { clients, resources } = await createAwsTestResources("registry");
  opened.push(clients);
  return { clients, table: resources.registryTable };
}

async function freshRegistry(options: Partial<DynamoDbRegistryOptions> = {}) {
  const { clients, table } = await freshTable();
  return { clients, table, registry: createDynamoDbRegistry({ clients, table, ...options }) };
}

let lastTable: Awaited<ReturnType<typeof freshTable>> | undefined;
describeRegistryContract(
  "dynamodb",
  async () => {
    lastTable = await freshTable();
    return createDynamoDbRegistry(lastTable);
  },
  { reopen: async () => createDynamoDbRegistry(lastTable as NonNullable<typeof lastTable>) },
);
describeAccessStoreContract(
  "dynamodb",
  async () => {
    lastTable = await freshTable();
    return createDynamoDbRegistry(lastTable);
  },
  { reopen: async () => createDynamoDbRegistry(lastTable as NonNullable<typeof lastTable>) },
);

describeCostStoreContract(
  "dynamodb",
  async () => {
    lastTable = await freshTable();
    return createDynamoDbRegistry(lastTable);
  },
  { reopen: async () => createDynamoDbRegistry(lastTable as NonNullable<typeof lastTable>) },
);

const t0 = new Date("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const branch = (name: string): EnvironmentIdentity => ({ kind: "branch", repository: "acme/api", branch: name });

/** The commands a client sent, by name, with the index of each Query. */
function recordCommands(clients: AwsClients) {
  const send = vi.spyOn(clients.documents, "send");
  return () =>
    send.mock.calls.map(([command]) => {
      const input = (command as { input: { IndexName?: string } }).input;
      return `${command.constructor.name}${input.IndexName ? `@${input.IndexName}` : ""}`;
    });
}

/**
 * Clients whose first `commandName` waits for `interleave` (another writer) before it is sent: a
 * race with a fixed order. The emulator cannot race for real: it rolls a failed transaction back by
 * restoring a copy of the whole table, losing what concurrent requests wrote meanwhile.
 */
function beforeFirst(clients: AwsClients, commandName: string, interleave: () => Promise<unknown>) {
  let pending = true;
  const documents = {
    send: async (command: { constructor: { name: string } }) => {
      if (pending && command.constructor.name === commandName) {
        pending = false;
        await interleave();
      }
      return clients.documents.send(command as Parameters<AwsClients["documents"]["send"]>[0]);
    },
  };
  return { documents } as unknown as Pick<AwsClients, "documents">;
}

describe("createDynamoDbRegistry", () => {
  it("creates an identity's environment once when another registry creates it first, and counts it once", async () => {
    const { clients, table, registry } = await freshRegistry();
    const racing = createDynamoDbRegistry({
      table,
      clients: beforeFirst(clients, "TransactWriteCommand", () =>
        registry.ensureEnvironment(branch("raced"), { status: "queued", now: at(0) }),
      ),
    });
    const mine = await racing.ensureEnvironment(branch("raced"), { status: "queued", now: at(1) });
    expect(mine).toStrictEqual(await registry.findEnvironment(branch("raced")));
    expect(mine.createdAt).toBe(at(0).toISOString());
    expect(await registry.countByStatus()).toEqual({ queued: 1 });
  });

  it("takes the hashed name when another identity claims the plain one between the check and the write", async () => {
    const { clients, table, registry } = await freshRegistry();
    const slashed = branch("feature/a_b");
    // A branch spelled like the slashed one's hashed name: its plain name is that very name.
    const lookalike = branch(nameEnvironment(slashed).replace(/^api-/, ""));
    const racing = createDynamoDbRegistry({
      table,
      clients: beforeFirst(clients, "TransactWriteCommand", () =>
        registry.ensureEnvironment(slashed, { status: "queued", now: at(0) }),
      ),
    });
    const created = await racing.ensureEnvironment(lookalike, { status: "queued", now: at(1) });
    expect(created.name).toBe(nameEnvironment(lookalike, { forceHash: true }));
    expect((await registry.findEnvironment(slashed))?.name).toBe(nameEnvironment(lookalike));
    expect(await registry.findEnvironment(lookalike)).toStrictEqual(created);
    expect(await registry.countByStatus()).toEqual({ queued: 2 });
  });

  it("reads again when another writer changed the environment in between: nothing lost, counts exact", async () => {
    const { clients, table, registry } = await freshRegistry();
    const env = await registry.ensureEnvironment(branch("contended"), { status: "queued", now: at(0) });
    const racing = createDynamoDbRegistry({
      table,
      clients: beforeFirst(clients, "TransactWriteCommand", () =>
        registry.updateEnvironment(env.id, { url: "http://other-writer" }, at(1)),
      ),
    });
    const updated = await racing.updateEnvironment(env.id, { status: "deploying" }, at(2));
    expect(updated).toMatchObject({ status: "deploying", url: "http://other-writer", updatedAt: at(2).toISOString() });
    expect(await registry.getEnvironment(env.id)).toStrictEqual(updated);
    expect(await registry.countByStatus()).toEqual({ deploying: 1 });

    // The transition is checked against what is stored, not against what was read first.
    const late = createDynamoDbRegistry({
      table,
      clients: beforeFirst(clients, "TransactWriteCommand", () =>
        registry.updateEnvironment(env.id, { status: "destroying" }, at(3)),
      ),
    });
    const error = await late.updateEnvironment(env.id, { status: "ready" }, at(4)).catch((e: unknown) => e);
    expect(isStackforkError(error, "INVALID_TRANSITION")).toBe(true);
    expect(await registry.countByStatus()).toEqual({ destroying: 1 });
    expect((await registry.listEnvironments()).environments.map((e) => e.status)).toEqual(["destroying"]);
  });

  it("lists from an index and counts from one item: a Query per page, one GetItem per count, never a Scan", async () => {
    const { clients, registry } = await freshRegistry();
    for (let i = 0; i < 12; i++) await registry.ensureEnvironment(branch(`q-${i}`), { status: "queued", now: at(i) });
    const sent = recordCommands(clients);

    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await registry.listEnvironments({ limit: 5, cursor });
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    await registry.listEnvironments({ includeDestroyed: true });
    await registry.listEnvironments({ repository: "ACME/api", search: "q-1" });
    await registry.countByStatus();

    expect(pages).toBe(3);
    expect(sent()).toEqual([
      "QueryCommand@gsi3",
      "QueryCommand@gsi3",
      "QueryCommand@gsi3",
      "QueryCommand@gsi1",
      "QueryCommand@gsi2",
      "GetCommand",
    ]);
  });

  it("reads a job's log from where the job started, not through the environment's earlier jobs", async () => {
    const { clients, registry } = await freshRegistry();
    const env = await registry.ensureEnvironment(branch("jobs"), { status: "queued", now: at(0) });
    await registry.appendLog(
      env.id,
      "job-1",
      Array.from({ length: 50 }, (_, i) => `old ${i}`),
      at(1),
    );
    await registry.appendLog(env.id, "job-2", ["new"], at(2));
    const sent = vi.spyOn(clients.documents, "send");
    expect((await registry.readLog(env.id, { jobId: "job-2" })).map((l) => [l.seq, l.text])).toEqual([[51, "new"]]);
    const query = sent.mock.calls
      .map(([command]) => (command as { input: { ExpressionAttributeValues?: Record<string, unknown> } }).input)
      .find((input) => input.ExpressionAttributeValues?.[":from"] !== undefined);
    expect(query?.ExpressionAttributeValues?.[":from"]).toBe(registryKeys.logLine(env.id, 51).sk);
  });

  it("takes as new an expired delivery id whose item DynamoDB's TTL has not deleted yet", async () => {
    const { clients, table, registry } = await freshRegistry({ deliveryRetainHours: 1 });
    expect(await registry.rememberDelivery("late-ttl", at(0))).toBe("new");
    // Handled: an event carries its id, so only expiry makes it new again.
    const env = await registry.ensureEnvironment(branch("retained"), { status: "queued", now: at(0) });
    await registry.appendEvent({
      environmentId: env.id,
      at: at(0).toISOString(),
      type: "deploy_requested",
      message: "push",
      deliveryId: "late-ttl",
    });
    const item = async () =>
      (await clients.documents.send(new GetCommand({ TableName: table.name, Key: registryKeys.delivery("late-ttl") })))
        .Item;
    expect(await item()).toMatchObject({ seenAt: at(0).getTime(), ttl: at(3600).getTime() / 1000, traced: true });

    expect(await registry.rememberDelivery("late-ttl", at(3599))).toBe("replayed");
    expect(await item()).toBeDefined();
    expect(await registry.rememberDelivery("late-ttl", at(3601))).toBe("new");
    expect(await item()).toMatchObject({ seenAt: at(3601).getTime(), ttl: at(7201).getTime() / 1000, traced: true });
    expect(await registry.rememberDelivery("late-ttl", at(3602))).toBe("replayed");
  });

  it("keeps a forgotten delivery's trace: a replay of its redelivery is still a replay later", async () => {
    const { registry } = await freshRegistry();
    const env = await registry.ensureEnvironment(branch("forgotten"), { status: "queued", now: at(0) });
    expect(await registry.rememberDelivery("failed-once", at(0))).toBe("new");
    await registry.appendEvent({
      environmentId: env.id,
      at: at(0).toISOString(),
      type: "deploy_requested",
      message: "push",
      deliveryId: "failed-once",
    });
    await registry.forgetDelivery("failed-once");
    expect(await registry.rememberDelivery("failed-once", at(10))).toBe("new");
    expect(await registry.rememberDelivery("failed-once", at(10 + 3600))).toBe("replayed");
  });

  it("throws NAME_TAKEN when both the plain and the hashed name belong to other environments", async () => {
    const { clients, table, registry } = await freshRegistry();
    const identity = branch("contested");
    // Only a hash collision does this in practice; plant the items directly.
    for (const forceHash of [false, true]) {
      const name = nameEnvironment(identity, { forceHash });
      const planted = toEnvironmentItem(
        {
          id: name,
          name,
          kind: "branch",
          repository: "acme/api",
          branch: name,
          status: "ready",
          createdAt: at(0).toISOString(),
          updatedAt: at(0).toISOString(),
        },
        1,
      );
      await clients.documents.send(new PutCommand({ TableName: table.name, Item: planted }));
    }
    const error = await registry.ensureEnvironment(identity, { status: "queued", now: at(1) }).catch((e: unknown) => e);
    expect(isStackforkError(error, "NAME_TAKEN")).toBe(true);
    expect(await registry.findEnvironment(identity)).toBeUndefined();
    expect(await registry.countByStatus()).toEqual({});
  });

  it("bounds the log by maxLogLinesPerJob", async () => {
    const { registry } = await freshRegistry({ maxLogLinesPerJob: 3 });
    const env = await registry.ensureEnvironment(branch("short-log"), { status: "queued", now: at(0) });
    await registry.appendLog(env.id, "job-1", ["a", "b"], at(1));
    await registry.appendLog(env.id, "job-1", ["c", "d", "e"], at(2));
    await registry.appendLog(env.id, "job-1", ["f"], at(3));
    const lines = await registry.readLog(env.id);
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(lines.slice(0, 3).map((l) => l.text)).toEqual(["a", "b", "c"]);
    expect(["d", "e", "f"]).not.toContain(lines[3]?.text);
  });

  it("rejects options and a table definition it cannot use with CONFIG_INVALID", async () => {
    const { clients, table } = await freshTable();
    const codeOf = (options: Partial<DynamoDbRegistryOptions>) => {
      try {
        createDynamoDbRegistry({ clients, table, ...options });
      } catch (err) {
        return isStackforkError(err) ? err.code : "not a StackforkError";
      }
      return "no error";
    };
    expect(codeOf({ maxLogLinesPerJob: 0 })).toBe("CONFIG_INVALID");
    expect(codeOf({ deliveryRetainHours: -1 })).toBe("CONFIG_INVALID");
    expect(codeOf({ table: { ...table, globalSecondaryIndexes: table.globalSecondaryIndexes.slice(0, 2) } })).toBe(
      "CONFIG_INVALID",
    );
    expect(codeOf({})).toBe("no error");
  });
});
