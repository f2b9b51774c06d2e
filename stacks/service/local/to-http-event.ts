import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { HttpEvent } from "../handler/http-event.ts";

/**
 * A Node request as API Gateway would pass it (payload format 2.0): lowercase headers with repeats
 * joined by commas, the query split into parameters, a binary body base64-encoded.
 */
export function toHttpEvent(req: IncomingMessage, body: Buffer): HttpEvent {
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const text = isText(headers["content-type"]);
  const method = req.method ?? "GET";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      requestId: randomUUID(),
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "",
        userAgent: headers["user-agent"] ?? "",
      },
    },
    ...(body.length > 0 ? { body: text ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

/** API Gateway passes JSON and text bodies as they are and base64-encodes the rest. */
function isText(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  return /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|javascript|xml))/i.test(contentType);
}
