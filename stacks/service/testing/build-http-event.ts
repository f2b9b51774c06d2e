import type { HttpEvent } from "../handler/http-event.ts";

export interface BuildHttpEventOptions {
  body?: string;
  query?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** An API Gateway HTTP API event (payload format 2.0) as the `$default` route passes it. */
export function buildHttpEvent(method: string, path: string, options: BuildHttpEventOptions = {}): HttpEvent {
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString,
    headers: { "content-type": "application/json", host: "example.execute-api.us-east-1.amazonaws.com" },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      requestId: "request-1",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}
