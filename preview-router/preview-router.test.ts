import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { serveCopy } from "../stacks/service/local/serve-copy.ts";
import {
  loopbackLookup,
  PREVIEW_API_TOKEN,
  type PreviewHarness,
  requestUrl,
  startPreviewHarness,
} from "../test/support/preview-harness.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";

const LARGE_BYTES = 24 * 1024 * 1024;

/**
 * A copy that speaks what the production stack's handler does not: a large streamed body, a
 * WebSocket, and an echo of what it received.
 */
let unavailableHits = 0;

async function startFixtureCopy() {
  const server: Server = createServer((request, response) => {
    if (request.url === "/large") {
      response.writeHead(200, { "content-type": "application/octet-stream", "x-fixture": "large" });
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024);
      const write = () => {
        while (sent < LARGE_BYTES) {
          chunk.fill(sent % 251);
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", write);
        }
        response.end();
      };
      return write();
    }
    if (request.url === "/unavailable") {
      unavailableHits++;
      response.writeHead(503, { "content-type": "text/plain", "retry-after": "1" });
      return void response.end("the copy's own 503");
    }
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      response.writeHead(207, { "content-type": "application/json", "x-fixture": "echo" });
      response.end(
        JSON.stringify({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  const sockets = new WebSocketServer({ server });
  sockets.on("connection", (socket, request) => {
    socket.send(`hello ${request.url} ${request.headers["x-forwarded-host"]}`);
    socket.on("message", (data) => socket.send(`echo ${data.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
      }),
  };
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/** What a proxy may change hop by hop; every other header must be the copy's own. */
const HOP_HEADERS = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);
const endToEnd = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_HEADERS.has(name)));

describe("the preview router (real HTTP through the dashboard's server to real copies)", () => {
  const stores = useSqliteStores();
  let clock = new Date("2026-03-01T12:00:00Z");
  const now = () => clock;
  let h: PreviewHarness;
  let copy: Awaited<ReturnType<typeof serveCopy>>;
  let fixture: Awaited<ReturnType<typeof startFixtureCopy>>;
  const dataDir = mkdtempSync(path.join(tmpdir(), "stackfork-preview-copy-"));

  beforeAll(async () => {
    // The production stack's own handler, served as a local copy is (stacks/service/local).
    copy = await serveCopy({
      dataDir,
      port: 0,
      env: {
        TABLE_NAME: "shop-main-items",
        STACKFORK_ENVIRONMENT: "shop-feature",
        STACKFORK_REPOSITORY: "acme/shop",
        STACKFORK_BRANCH: "feature",
        STACKFORK_COMMIT: "abc1234",
      },
    });
    fixture = await startFixtureCopy();
  });
  afterAll(async () => {
    await copy.close();
    await fixture.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    clock = new Date("2026-03-01T12:00:00Z");
    h = await startPreviewHarness({
      registry: stores.registry,
      queue: stores.queue,
      repositories: [{ name: "acme/shop" }, { name: "acme/secret", previewAccess: "link" }],
      now,
    });
  });
  afterEach(async () => h.close());

  const ready = (branch: string, url: string, repository = "acme/shop") =>
    seedEnvironment(stores.registry, { kind: "branch", repository, branch }, "ready", now(), { url });
  const routed = (name: string, route = "/") => `http://${h.previewHost(name)}${route}`;

  it("answers GET and POST with a body exactly as the copy does directly", async () => {
    const env = await ready("feature", copy.url);
    const [direct, viaRouter] = [await requestUrl(`${copy.url}/`), await requestUrl(routed(env.name))];
    expect(viaRouter.status).toBe(200);
    expect(viaRouter.body.toString()).toBe(direct.body.toString());
    expect(endToEnd(viaRouter.headers)).toEqual(endToEnd(direct.headers));
    expect(JSON.parse(viaRouter.body.toString())).toMatchObject({ environment: "shop-feature", commit: "abc1234" });

    const created = await requestUrl(routed(env.name, "/items?source=router"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "through the router" }),
    });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body.toString()) as { id: string };
    // The item is in the copy's own store: read back directly.
    const readBack = await requestUrl(`${copy.url}/items/${id}`);
    expect(JSON.parse(readBack.body.toString())).toMatchObject({ id, name: "through the router" });
  });

  it("keeps the method, path, query and headers, adds X-Forwarded-*, and keeps the share cookie from the copy", async () => {
    const env = await ready("echo", fixture.url);
    const response = await requestUrl(routed(env.name, "/a%20b/c?x=1&y=two"), {
      method: "PUT",
      headers: {
        "content-type": "text/plain",
        "x-custom": "kept",
        cookie: "theirs=1; stackfork_preview=secret-token; also=2",
      },
      body: "the body",
    });
    expect(response.status).toBe(207);
    expect(response.headers["x-fixture"]).toBe("echo");
    const seen = JSON.parse(response.body.toString()) as {
      method: string;
      url: string;
      body: string;
      headers: Record<string, string>;
    };
    expect(seen).toMatchObject({ method: "PUT", url: "/a%20b/c?x=1&y=two", body: "the body" });
    expect(seen.headers).toMatchObject({
      "x-custom": "kept",
      "x-forwarded-host": h.previewHost(env.name),
      "x-forwarded-proto": "http",
      "x-forwarded-for": "127.0.0.1",
      cookie: "theirs=1; also=2",
    });
  });

  it("passes a copy's own 503 on as it is, once (no retries by the proxy)", async () => {
    const env = await ready("unavailable", fixture.url);
    unavailableHits = 0;
    const response = await requestUrl(routed(env.name, "/unavailable"), { headers: { accept: "text/html" } });
    expect(response.status).toBe(503);
    expect(response.body.toString()).toBe("the copy's own 503");
    expect(unavailableHits).toBe(1);
  });

  it("streams a large response whole, as the copy sent it", async () => {
    const env = await ready("large", fixture.url);
    const [direct, viaRouter] = [
      await requestUrl(`${fixture.url}/large`),
      await requestUrl(routed(env.name, "/large")),
    ];
    expect(viaRouter.status).toBe(200);
    expect(viaRouter.body.length).toBe(LARGE_BYTES);
    expect(sha256(viaRouter.body)).toBe(sha256(direct.body));
    expect(viaRouter.headers["x-fixture"]).toBe("large");
  });

  it("carries a WebSocket both ways", async () => {
    const env = await ready("socket", fixture.url);
    const socket = new WebSocket(`ws://${h.previewHost(env.name)}/live?room=1`, { lookup: loopbackLookup });
    const messages: string[] = [];
    const received = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (messages.length >= count ? resolve() : undefined);
        socket.on("message", (data) => {
          messages.push(data.toString());
          check();
        });
        socket.on("error", reject);
      });
    const greeted = received(1);
    await greeted;
    socket.send("ping 1");
    await new Promise<void>((resolve) => socket.once("message", () => resolve()));
    socket.close();
    expect(messages[0]).toBe(`hello /live?room=1 ${h.previewHost(env.name)}`);
    expect(messages[1]).toBe("echo ping 1");
  });

  it("closes the WebSockets it carries when the server closes, instead of waiting for them", async () => {
    const env = await ready("lingering", fixture.url);
    const socket = new WebSocket(`ws://${h.previewHost(env.name)}/`, { lookup: loopbackLookup });
    await new Promise<void>((resolve) => socket.once("message", () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await h.close();
    await closed;
    // afterEach closes again: a second close of a closed harness is a no-op.
    h = await startPreviewHarness({ registry: stores.registry, queue: stores.queue, repositories: [], now });
  });

  it("answers 404 for an unknown or destroyed environment, 503 while deploying, 502 when the copy does not answer", async () => {
    const json = { accept: "application/json" };
    const unknown = await requestUrl(routed("no-such-env"), { headers: json });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body.toString())).toMatchObject({
      error: { code: "NOT_FOUND" },
      environment: "no-such-env",
      dashboardUrl: `${h.dashboardUrl}/environments/no-such-env`,
    });

    const gone = await seedEnvironment(
      stores.registry,
      { kind: "branch", repository: "acme/shop", branch: "gone" },
      "destroyed",
      now(),
      { url: fixture.url },
    );
    expect((await requestUrl(routed(gone.name), { headers: json })).status).toBe(404);

    const deploying = await seedEnvironment(
      stores.registry,
      { kind: "branch", repository: "acme/shop", branch: "busy" },
      "deploying",
      now(),
    );
    const busy = await requestUrl(routed(deploying.name), { headers: { accept: "text/html,*/*" } });
    expect(busy.status).toBe(503);
    expect(busy.headers["content-type"]).toMatch(/^text\/html/);
    expect(busy.headers["retry-after"]).toBe("10");
    const page = busy.body.toString();
    expect(page).toContain("PREVIEW_NOT_READY");
    expect(page).toContain(`href="${h.dashboardUrl}/environments/${deploying.name}"`);

    // A port nothing listens on: closed right after it was found free.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = await ready("dead", `http://127.0.0.1:${closedPort}`);
    const silent = await requestUrl(routed(dead.name), { headers: json });
    expect(silent.status).toBe(502);
    expect(JSON.parse(silent.body.toString())).toMatchObject({ error: { code: "COPY_NOT_ANSWERING" } });

    // A WebSocket to a preview that is not there gets the page, and its socket is closed.
    const refused = new WebSocket(`ws://${h.previewHost("no-such-env")}/`, { lookup: loopbackLookup });
    const status = await new Promise<number>((resolve) =>
      refused.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0)),
    );
    expect(status).toBe(404);
  });

  it("leaves the dashboard as it was: its Host check, and the environment JSON with the routed url", async () => {
    const env = await ready("shown", copy.url);
    const foreign = await requestUrl(`http://127.0.0.1:${h.port}/api/environments`, {
      headers: { host: "rebound.example:80" },
    });
    expect(foreign.status).toBe(421);
    expect(JSON.parse(foreign.body.toString())).toMatchObject({ error: { code: "HOST_NOT_ALLOWED" } });
    // A name under the preview domain but not one label deep is not a preview either: the dashboard's check.
    const deeper = await requestUrl(`http://a.b.localhost:${h.port}/api/environments`);
    expect(deeper.status).toBe(421);

    const listed = await requestUrl(`http://127.0.0.1:${h.port}/api/environments/${env.id}`);
    expect(JSON.parse(listed.body.toString())).toMatchObject({
      url: `http://${env.name}.localhost:${h.port}`,
      directUrl: copy.url,
    });
    // A change's answer (the environment as the action wrote it) is shown the same way.
    const extended = await requestUrl(`http://127.0.0.1:${h.port}/api/environments/${env.id}/extend`, {
      method: "POST",
      headers: { authorization: `Bearer ${PREVIEW_API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ hours: 2 }),
    });
    expect(extended.status).toBe(200);
    expect(JSON.parse(extended.body.toString())).toMatchObject({
      url: `http://${env.name}.localhost:${h.port}`,
      directUrl: copy.url,
    });
    const page = await requestUrl(`http://127.0.0.1:${h.port}/environments/${env.id}`);
    expect(page.body.toString()).toContain(`http://${env.name}.localhost:${h.port}`);
  });

  describe("previewAccess: link", () => {
    const share = async (id: string, body: unknown = {}) =>
      requestUrl(`http://127.0.0.1:${h.port}/api/environments/${id}/share`, {
        method: "POST",
        headers: { authorization: `Bearer ${PREVIEW_API_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const open = async (url: string, cookie?: string) =>
      requestUrl(url, { headers: { accept: "text/html", ...(cookie && { cookie }) } });

    it("refuses without a link, and a link sets a cookie for that host only, then redirects to the clean address", async () => {
      const env = await ready("private", copy.url, "acme/secret");
      const refused = await open(routed(env.name, "/items"));
      expect(refused.status).toBe(403);
      expect(refused.body.toString()).toContain("SHARE_LINK_REQUIRED");
      expect(refused.body.toString()).toContain(`stackfork share ${env.name}`);

      expect((await share(env.id, { hours: 0 })).status).toBe(400);
      expect(
        (await requestUrl(`http://127.0.0.1:${h.port}/api/environments/${env.id}/share`, { method: "POST" })).status,
      ).toBe(401);
      const issued = await share(env.id, { hours: 2 });
      expect(issued.status).toBe(201);
      const link = JSON.parse(issued.body.toString()) as { url: string; expiresAt: string };
      expect(link.expiresAt).toBe("2026-03-01T14:00:00.000Z");
      expect(link.url.startsWith(`http://${env.name}.localhost:${h.port}/?stackfork-share=`)).toBe(true);

      const opened = await open(link.url);
      expect(opened.status).toBe(303);
      expect(opened.headers.location).toBe("/");
      const setCookie = opened.headers["set-cookie"]?.[0] ?? "";
      expect(setCookie).toMatch(/^stackfork_preview=/);
      expect(setCookie).toMatch(/; HttpOnly/);
      expect(setCookie).toMatch(/; SameSite=Lax/);
      expect(setCookie).toMatch(/; Path=\//);
      expect(setCookie).not.toMatch(/Domain=/i);
      expect(setCookie).not.toMatch(/Secure/);
      const cookie = setCookie.split(";")[0] ?? "";

      const through = await open(routed(env.name), cookie);
      expect(through.status).toBe(200);
      expect(JSON.parse(through.body.toString())).toMatchObject({ environment: "shop-feature" });
      // The cookie of one preview opens no other.
      const other = await ready("other", copy.url, "acme/secret");
      expect((await open(routed(other.name), cookie.replace(env.name, other.name))).status).toBe(403);
      expect((await open(routed(other.name), cookie)).status).toBe(403);
    });

    it("refuses a forged, an expired and a revoked link; a link issued after the revocation works", async () => {
      const env = await ready("guarded", copy.url, "acme/secret");
      const link = JSON.parse((await share(env.id, { hours: 1 })).body.toString()) as { url: string };
      const token = decodeURIComponent(link.url.split("stackfork-share=")[1] ?? "");
      const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
      expect((await open(routed(env.name, `/?stackfork-share=${encodeURIComponent(forged)}`))).status).toBe(403);
      // Longer than it was issued for: the same token signed, but its expiry changed.
      const stretched = token.replace(
        /^([^.]+\.\d+\.)(\d+)/,
        (_m, head: string, exp: string) => `${head}${Number(exp) + 3_600_000}`,
      );
      expect((await open(routed(env.name, `/?stackfork-share=${encodeURIComponent(stretched)}`))).status).toBe(403);
      expect((await open(link.url)).status).toBe(303);

      clock = new Date(clock.getTime() + 3_600_001);
      expect((await open(link.url)).status).toBe(403);
      expect((await open(routed(env.name), `stackfork_preview=${token}`)).status).toBe(403);

      const fresh = JSON.parse((await share(env.id, { hours: 5 })).body.toString()) as { url: string };
      const freshToken = decodeURIComponent(fresh.url.split("stackfork-share=")[1] ?? "");
      expect((await open(routed(env.name), `stackfork_preview=${freshToken}`)).status).toBe(200);
      clock = new Date(clock.getTime() + 1);
      const revoked = await requestUrl(`http://127.0.0.1:${h.port}/api/environments/${env.id}/share`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${PREVIEW_API_TOKEN}` },
      });
      expect(revoked.status).toBe(200);
      expect((await open(routed(env.name), `stackfork_preview=${freshToken}`)).status).toBe(403);
      expect((await open(fresh.url)).status).toBe(403);

      clock = new Date(clock.getTime() + 1);
      const after = JSON.parse((await share(env.id)).body.toString()) as { url: string };
      expect((await open(after.url)).status).toBe(303);
    });

    it("leaves a public repository's previews open to anyone", async () => {
      const env = await ready("open", copy.url);
      expect((await open(routed(env.name))).status).toBe(200);
    });
  });
});
