import { randomUUID } from "node:crypto";
import { createDynamoClient } from "./create-dynamo-client.ts";
import { handleRequest, type RequestDeps } from "./handle-request.ts";
import type { HttpEvent, HttpResult } from "./http-event.ts";
import { createItemStore } from "./item-store.ts";
import { readHandlerConfig } from "./read-handler-config.ts";

// Built on the first request and kept while Lambda keeps the instance warm: one SDK client (and its
// connection pool) per instance, not per request.
let deps: RequestDeps | undefined;

/** The Lambda entry point (bundled as `index.lambdaHandler`): wires the environment to handleRequest. */
export async function lambdaHandler(event: HttpEvent): Promise<HttpResult> {
  deps ??= createDeps(process.env);
  return handleRequest(event, deps);
}

function createDeps(env: NodeJS.ProcessEnv): RequestDeps {
  const config = readHandlerConfig(env);
  return {
    copy: config.copy,
    store: createItemStore(createDynamoClient({ endpoint: config.dynamodbEndpoint }), config.tableName),
    newId: randomUUID,
    now: () => new Date(),
    logError: (err, event) =>
      console.error(
        JSON.stringify({
          requestId: event.requestContext.requestId,
          err: err instanceof Error ? err.stack : String(err),
        }),
      ),
  };
}
