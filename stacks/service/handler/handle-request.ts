import type { HttpEvent, HttpResult } from "./http-event.ts";
import { type ItemRouteDeps, itemRoutes } from "./item-routes.ts";
import { jsonResult } from "./json-result.ts";
import type { CopyDescription } from "./read-handler-config.ts";
import { RequestError } from "./request-error.ts";

export interface RequestDeps extends ItemRouteDeps {
  copy: CopyDescription;
  /** Unexpected errors (answered with a 500 that tells nothing) go here. */
  logError: (err: unknown, event: HttpEvent) => void;
}

type Route = (event: HttpEvent, deps: RequestDeps, id: string) => Promise<HttpResult>;

interface RouteEntry {
  path: RegExp;
  methods: Record<string, Route>;
}

/** DynamoDB allows 2048-byte keys; ids we hand out are UUIDs, so anything long is not one of ours. */
const ID = "([^/]{1,128})";

const routeTable: RouteEntry[] = [
  { path: /^\/$/, methods: { GET: async (_event, deps) => describeCopy(deps.copy) } },
  { path: /^\/items\/?$/, methods: { GET: itemRoutes.list, POST: itemRoutes.create } },
  {
    path: new RegExp(`^/items/${ID}$`),
    methods: { GET: itemRoutes.get, PUT: itemRoutes.update, DELETE: itemRoutes.delete },
  },
];

/**
 * The copy's whole HTTP API, one function for both targets: an API Gateway HTTP API event
 * (payload format 2.0) in, a result out. Expected failures answer `{ code, message }`.
 */
export async function handleRequest(event: HttpEvent, deps: RequestDeps): Promise<HttpResult> {
  try {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath || "/";
    for (const { path: pattern, methods } of routeTable) {
      const match = pattern.exec(path);
      if (!match) continue;
      const route = methods[method];
      if (!route) {
        const allow = Object.keys(methods).join(", ");
        throw new RequestError(405, "METHOD_NOT_ALLOWED", `${method} is not allowed on ${path}.`, { allow });
      }
      return await route(event, deps, decodeId(match[1]));
    }
    throw new RequestError(404, "NOT_FOUND", `No route for ${method} ${path}.`);
  } catch (err) {
    if (err instanceof RequestError)
      return jsonResult(err.status, { code: err.code, message: err.message }, err.headers);
    deps.logError(err, event);
    return jsonResult(500, { code: "INTERNAL", message: "Internal error." });
  }
}

function describeCopy({ environment, repository, branch, commit, owner }: CopyDescription): HttpResult {
  return jsonResult(200, { environment, repository, branch, commit, ...(owner ? { owner } : {}) });
}

function decodeId(raw: string | undefined): string {
  if (raw === undefined) return "";
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new RequestError(400, "INVALID_INPUT", "The item id is not a valid URL path segment.");
  }
}
