import { createServer } from "node:net";

/**
 * `preferred` when nothing listens on it (so a copy keeps its URL across restarts), otherwise a
 * port the kernel says is free. Another process could take it before the copy binds it; the copy
 * then fails to start and the deploy says so.
 */
export async function findFreePort(preferred?: number): Promise<number> {
  if (preferred !== undefined && (await tryListen(preferred)) !== undefined) return preferred;
  const port = await tryListen(0);
  if (port === undefined) throw new Error("No free loopback port.");
  return port;
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}
