import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { findFreePort } from "../stacks/service/local/find-free-port.ts";
import { startEmbeddedServer } from "../test/support/embedded-server.ts";
import { requestUrl } from "../test/support/preview-harness.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

// `stackfork serve` as `npm start` runs it, with a previewPort of its own: the wiring of cli/serve.ts.
describe("stackfork serve with previewDomain and previewPort", () => {
  const root = mkdtempSync(path.join(tmpdir(), "stackfork-preview-serve-"));
  const dataDir = path.join(root, "data");
  let copy: Server;
  let copyUrl: string;
  let server: Awaited<ReturnType<typeof startEmbeddedServer>>;
  let previewPort: number;

  beforeAll(async () => {
    copy = createServer((request, response) => response.end(`copy saw ${request.url}`));
    await new Promise<void>((resolve) => copy.listen(0, "127.0.0.1", resolve));
    copyUrl = `http://127.0.0.1:${(copy.address() as { port: number }).port}`;
    // A ready environment whose copy answers (so serve's start-up check leaves it alone), written
    // through the registry port before the server opens the same file.
    mkdirSync(dataDir, { recursive: true });
    const registry = createSqliteRegistry({ file: path.join(dataDir, "registry.db") });
    await seedEnvironment(registry, { kind: "branch", repository: "acme/shop", branch: "demo" }, "ready", new Date(), {
      url: copyUrl,
    });
    await registry.close();
    previewPort = await findFreePort();
    server = await startEmbeddedServer({
      dataDir,
      repositories: [{ name: "acme/shop", localPath: root }],
      extraConfig: { previewDomain: "preview.test", previewPort },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => copy.close(() => resolve()));
    rmSync(root, { recursive: true, force: true });
  });

  it("serves previews on previewPort and on its own port, shows the routed url, and leaves other hosts alone", async () => {
    const [env] = (await server.environments()).environments;
    expect(env).toMatchObject({ url: `http://${env?.name}.preview.test:${previewPort}`, directUrl: copyUrl });
    const mainPort = new URL(server.baseUrl).port;
    expect(server.output.join("")).toContain(`previews:        http://<environment>.preview.test:${previewPort}/`);

    for (const port of [previewPort, mainPort]) {
      const answer = await requestUrl(`http://${env?.name}.preview.test:${port}/hello?x=1`);
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe("copy saw /hello?x=1");
    }
    const unknown = await requestUrl(`http://nope.preview.test:${previewPort}/`);
    expect(unknown.status).toBe(404);
    // On the router's own port, any other Host is not a preview (and not the dashboard either).
    const other = await requestUrl(`http://127.0.0.1:${previewPort}/api/environments`);
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body.toString())).toMatchObject({ error: { code: "NOT_FOUND" } });
    // The dashboard on its own port is unchanged.
    expect((await requestUrl(`${server.baseUrl}/api/environments`)).status).toBe(200);
  });
});
