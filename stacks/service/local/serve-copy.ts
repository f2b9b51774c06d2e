import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDynamoClient } from "../handler/create-dynamo-client.ts";
import { handleRequest } from "../handler/handle-request.ts";
import { createItemStore } from "../handler/item-store.ts";
import { readHandlerConfig } from "../handler/read-handler-config.ts";
import { copyFiles } from "./copy-files.ts";
import { countTableUnits } from "./count-table-units.ts";
import { createHttpServer } from "./create-http-server.ts";
import { createUsageCounters } from "./create-usage-counters.ts";
import { ensureTable } from "./ensure-table.ts";
import { PROBE_HEADER } from "./is-copy-answering.ts";
import { measureTableBytes } from "./measure-table-bytes.ts";
import { startDynalite } from "./start-dynalite.ts";

export interface ServeCopyOptions {
  dataDir: string;
  /** 0 picks a free one. */
  port: number;
  /** @default "127.0.0.1": a copy is for this machine only. */
  host?: string;
  /** The handler's environment variables (TABLE_NAME, STACKFORK_*), without DYNAMODB_ENDPOINT: that is ours. */
  env: Record<string, string | undefined>;
}

export interface ServingCopy {
  url: string;
  port: number;
  /** dynalite's own endpoint, on loopback. */
  dynamodbEndpoint: string;
  close(): Promise<void>;
}

/**
 * The local target: the same handler as on AWS, behind a Node HTTP server that plays API Gateway,
 * backed by dynalite keeping its data under `dataDir`, reached through DYNAMODB_ENDPOINT.
 */
export async function serveCopy({ dataDir, port, host = "127.0.0.1", env }: ServeCopyOptions): Promise<ServingCopy> {
  const { storeDir, usageFile } = copyFiles(dataDir);
  const store = await startDynalite(storeDir);
  try {
    const config = readHandlerConfig({ ...env, DYNAMODB_ENDPOINT: store.endpoint });
    const client = createDynamoClient({ endpoint: config.dynamodbEndpoint });
    await ensureTable(client, config.tableName);
    // The harness, not the branch's handler, counts what a Lambda, API Gateway and DynamoDB on
    // demand would bill, so that stackfork can estimate what this copy would cost on AWS.
    const uncounted = createDynamoClient({ endpoint: config.dynamodbEndpoint });
    const usage = createUsageCounters({
      file: usageFile,
      now: () => new Date(),
      measureStoredBytes: () => measureTableBytes(uncounted, config.tableName),
    });
    countTableUnits(client, (units) => usage.record(units));
    const server = createHttpServer(async (event) => {
      const started = performance.now();
      try {
        return await handleRequest(event, {
          copy: config.copy,
          store: createItemStore(client, config.tableName),
          newId: randomUUID,
          now: () => new Date(),
          logError: (err) => console.error(err),
        });
      } finally {
        if (event.headers[PROBE_HEADER] === undefined)
          usage.record({ requests: 1, billedMs: Math.ceil(performance.now() - started) });
      }
    });
    const bound = await listen(server, port, host);
    return {
      url: `http://${host}:${bound}`,
      port: bound,
      dynamodbEndpoint: store.endpoint,
      async close() {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await usage.close();
        client.destroy();
        uncounted.destroy();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}
