import { createServer, type Server } from "node:http";
import type { HttpEvent, HttpResult } from "../handler/http-event.ts";
import { toHttpEvent } from "./to-http-event.ts";

/** What API Gateway accepts as a request body (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A Node HTTP server that plays API Gateway for one handler: request -> event -> result -> response. */
export function createHttpServer(handle: (event: HttpEvent) => Promise<HttpResult>): Server {
  return createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { "content-type": "application/json" }).end('{"message":"Request Entity Too Large"}');
        return;
      }
      chunks.push(chunk);
    }
    try {
      const result = await handle(toHttpEvent(req, Buffer.concat(chunks)));
      const body =
        result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
      res.writeHead(result.statusCode, result.headers).end(body);
    } catch (err) {
      // API Gateway's answer when the integration itself fails.
      console.error(err);
      res.writeHead(500, { "content-type": "application/json" }).end('{"message":"Internal Server Error"}');
    }
  });
}
