import type { HttpEvent, HttpResult } from "./http-event.ts";
import type { ItemStore } from "./item-store.ts";
import { jsonResult } from "./json-result.ts";
import { parseItemInput } from "./parse-item-input.ts";
import { readJsonBody } from "./read-json-body.ts";
import { RequestError } from "./request-error.ts";

export interface ItemRouteDeps {
  store: ItemStore;
  newId: () => string;
  now: () => Date;
}

export type ItemRoute = (event: HttpEvent, deps: ItemRouteDeps, id: string) => Promise<HttpResult>;

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

/** Items CRUD: `/items` (GET list, POST create) and `/items/{id}` (GET, PUT, DELETE). */
export const itemRoutes = {
  async list(event, { store }) {
    const limit = readLimit(event.queryStringParameters?.limit);
    const startKey = readCursor(event.queryStringParameters?.cursor);
    const page = await store.list({ limit, startKey });
    const cursor = page.lastKey && Buffer.from(JSON.stringify(page.lastKey)).toString("base64url");
    return jsonResult(200, { items: page.items, ...(cursor ? { cursor } : {}) });
  },

  async create(event, { store, newId, now }) {
    const input = parseItemInput(readJsonBody(event));
    const at = now().toISOString();
    const item = { id: newId(), ...input, createdAt: at, updatedAt: at };
    await store.create(item);
    return jsonResult(201, item, { location: `/items/${item.id}` });
  },

  async get(_event, { store }, id) {
    return jsonResult(200, (await store.get(id)) ?? notFound(id));
  },

  async update(event, { store, now }, id) {
    const input = parseItemInput(readJsonBody(event));
    const item = await store.update(id, { ...input, updatedAt: now().toISOString() });
    return jsonResult(200, item ?? notFound(id));
  },

  async delete(_event, { store }, id) {
    if (!(await store.delete(id))) notFound(id);
    return { statusCode: 204 };
  },
} satisfies Record<string, ItemRoute>;

function notFound(id: string): never {
  throw new RequestError(404, "NOT_FOUND", `No item ${JSON.stringify(id)}.`);
}

function readLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RequestError(400, "INVALID_INPUT", `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return limit;
}

/** The cursor is the last key of the previous page, as base64url JSON: `{ "id": "..." }`. */
function readCursor(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (isRecord(key) && typeof key.id === "string" && Object.keys(key).length === 1) return key;
  } catch {
    // answered below
  }
  throw new RequestError(400, "INVALID_INPUT", "cursor is not one this API returned.");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
