import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ensureTable } from "../local/ensure-table.ts";
import { type RunningDynalite, startDynalite } from "../local/start-dynalite.ts";
import { buildHttpEvent } from "../testing/build-http-event.ts";
import { createDynamoClient } from "./create-dynamo-client.ts";
import { handleRequest, type RequestDeps } from "./handle-request.ts";
import { createItemStore } from "./item-store.ts";

// The handler against a real DynamoDB-compatible store (dynalite in memory), through the same SDK calls.
describe("handleRequest", () => {
  let dynalite: RunningDynalite;
  let deps: RequestDeps;
  let ids = 0;
  const copy = { environment: "shop-main", repository: "acme/shop", branch: 'feat/"x"', commit: "abc1234" };

  beforeAll(async () => {
    dynalite = await startDynalite();
    const client = createDynamoClient({ endpoint: dynalite.endpoint });
    await ensureTable(client, "shop-main-items");
    deps = {
      copy,
      store: createItemStore(client, "shop-main-items"),
      newId: () => `item-${++ids}`,
      now: () => new Date("2030-01-02T03:04:05.000Z"),
      logError: vi.fn(),
    };
  });
  afterAll(() => dynalite.close());

  async function send(method: string, path: string, body?: unknown, query?: Record<string, string>) {
    const result = await handleRequest(
      buildHttpEvent(method, path, {
        body: typeof body === "string" || body === undefined ? body : JSON.stringify(body),
        query,
      }),
      deps,
    );
    const json: Record<string, unknown> = result.body ? JSON.parse(result.body) : {};
    return { ...result, json };
  }

  it("describes the copy on GET /, leaving out an owner it does not have", async () => {
    const res = await send("GET", "/");
    expect(res.statusCode).toBe(200);
    expect(res.headers?.["content-type"]).toMatch(/^application\/json/);
    expect(res.json).toEqual(copy);
  });

  it("creates, reads, updates and deletes an item", async () => {
    const created = await send("POST", "/items", { name: "  apples ", note: "green" });
    expect(created.statusCode).toBe(201);
    const id = String(created.json.id);
    expect(created.headers?.location).toBe(`/items/${id}`);
    expect(created.json).toEqual({
      id,
      name: "apples",
      note: "green",
      createdAt: "2030-01-02T03:04:05.000Z",
      updatedAt: "2030-01-02T03:04:05.000Z",
    });

    expect((await send("GET", `/items/${id}`)).json).toEqual(created.json);

    const updated = await send("PUT", `/items/${id}`, { name: "pears" });
    expect(updated.statusCode).toBe(200);
    expect(updated.json).toEqual({
      id,
      name: "pears",
      createdAt: created.json.createdAt,
      updatedAt: "2030-01-02T03:04:05.000Z",
    });

    expect((await send("DELETE", `/items/${id}`)).statusCode).toBe(204);
    expect((await send("GET", `/items/${id}`)).json).toMatchObject({ code: "NOT_FOUND" });
  });

  it("lists items a page at a time with a cursor", async () => {
    for (const name of ["a", "b", "c"]) await send("POST", "/items", { name });
    const first = await send("GET", "/items", undefined, { limit: "2" });
    expect(first.json.items).toHaveLength(2);
    expect(first.json.cursor).toEqual(expect.any(String));
    const second = await send("GET", "/items", undefined, { limit: "2", cursor: String(first.json.cursor) });
    const items = [first.json.items, second.json.items].flat() as { name: string }[];
    const names = items.map((item) => item.name).sort();
    expect(names).toEqual(["a", "b", "c"]);
  });

  it("accepts a base64-encoded body, as API Gateway sends some", async () => {
    const body = Buffer.from(JSON.stringify({ name: "encoded" })).toString("base64");
    const res = await handleRequest(buildHttpEvent("POST", "/items", { body, isBase64Encoded: true }), deps);
    expect(res.statusCode).toBe(201);
  });

  it.each([
    ["bad JSON", "{name:", "INVALID_JSON"],
    ["an empty body", "", "INVALID_JSON"],
    ["a missing name", {}, "INVALID_INPUT"],
    ["an unknown field", { name: "x", price: 3 }, "INVALID_INPUT"],
    ["a name that is not a string", { name: 42 }, "INVALID_INPUT"],
  ])("answers 400 with a message for %s", async (_case, body, code) => {
    const res = await send("POST", "/items", body);
    expect(res.statusCode).toBe(400);
    expect(res.json.code).toBe(code);
    expect(res.json.message).toEqual(expect.any(String));
  });

  it("answers 400 for a bad limit or cursor", async () => {
    expect((await send("GET", "/items", undefined, { limit: "0" })).statusCode).toBe(400);
    expect((await send("GET", "/items", undefined, { cursor: "not-ours" })).statusCode).toBe(400);
  });

  it("answers 404 for unknown items and routes, 405 with Allow for other methods", async () => {
    expect((await send("PUT", "/items/nope", { name: "x" })).statusCode).toBe(404);
    expect((await send("DELETE", "/items/nope")).statusCode).toBe(404);
    const unknown = await send("GET", "/nothing/here");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json.code).toBe("NOT_FOUND");
    const notAllowed = await send("PATCH", "/items");
    expect(notAllowed.statusCode).toBe(405);
    expect(notAllowed.headers?.allow).toBe("GET, POST");
  });

  it("answers 500 without details when the store fails, and logs the error", async () => {
    const broken = {
      ...deps,
      store: createItemStore(createDynamoClient({ endpoint: dynalite.endpoint }), "no-such-table"),
    };
    const res = await handleRequest(buildHttpEvent("GET", "/items"), broken);
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body ?? "")).toEqual({ code: "INTERNAL", message: "Internal error." });
    expect(deps.logError).toHaveBeenCalledOnce();
  });
});
