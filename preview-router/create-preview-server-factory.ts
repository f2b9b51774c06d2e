import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance, FastifyServerFactory } from "fastify";
import { parsePreviewHost } from "./parse-preview-host.ts";

/**
 * The dashboard's HTTP server, with previews in front: a request or WebSocket upgrade whose Host is
 * `<environment>.<previewDomain>` goes to the router; every other request goes to the dashboard
 * exactly as before, its Host check (HOST_NOT_ALLOWED, DNS rebinding) untouched. Upgrades for other
 * hosts are refused (the dashboard has none).
 */
export function createPreviewServerFactory(
  router: FastifyInstance,
  options: { domain: string; trustProxy?: boolean },
): FastifyServerFactory {
  const isPreview = (request: IncomingMessage) => {
    const forwarded = options.trustProxy ? request.headers["x-forwarded-host"] : undefined;
    const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded?.split(",")[0]?.trim()) || request.headers.host;
    return parsePreviewHost(host, options.domain) !== undefined;
  };
  return (handler) => {
    const server: Server = createServer((request, response) =>
      isPreview(request) ? router.routing(request, response) : handler(request, response),
    );
    // A server's close waits for every socket it accepted, upgraded ones included, and fastify
    // closes only idle HTTP connections: a preview's WebSocket left open would hold a shutdown
    // forever. They are ended first.
    const upgraded = new Set<Duplex>();
    server.on("upgrade", (request, socket, head) => {
      if (!isPreview(request)) return void socket.destroy();
      upgraded.add(socket);
      socket.once("close", () => upgraded.delete(socket));
      router.server.emit("upgrade", request, socket, head);
    });
    const close = server.close.bind(server);
    server.close = (callback) => {
      for (const socket of upgraded) socket.destroy();
      return close(callback);
    };
    return server;
  };
}
