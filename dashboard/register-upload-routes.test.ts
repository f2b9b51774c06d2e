import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardHarness, DASHBOARD_TOKEN } from "../test/support/dashboard-harness.ts";
import { makeTarball } from "../test/support/make-tarball.ts";
import { listObjectKeys } from "../test/support/s3-objects.ts";
import { createUploadBucketServer, type UploadBucketServer } from "../test/support/upload-bucket-server.ts";

const MAX_BYTES = 256 * 1024;
const stackTree = [
  { path: "stacks/", type: "Directory" as const },
  { path: "stacks/service/", type: "Directory" as const },
  { path: "stacks/service/index.ts", body: "export default async () => ({});\n" },
  { path: "NOTE.txt", body: "uncommitted change\n" },
];
const bearer = { authorization: `Bearer ${DASHBOARD_TOKEN}` };
const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const codeOf = (response: { json: () => unknown }) => (response.json() as { error?: { code?: string } }).error?.code;

interface Ticket {
  uploadId: string;
  method: string;
  uploadUrl: string;
  headers: Record<string, string>;
  expiresAt: string;
  alreadyUploaded: boolean;
}

// A server whose uploads live in S3 (the dashboard Lambda, or serve on the AWS store), against the
// run's emulator: presign, a real HTTP PUT to the presigned URL, then the sandbox by upload id.
describe("working-tree uploads through a presigned S3 PUT", () => {
  let server: UploadBucketServer;
  let app: UploadBucketServer["app"];
  let queue: UploadBucketServer["queue"];
  let aws: UploadBucketServer["aws"];

  beforeAll(async () => {
    server = await createUploadBucketServer("upload-api", { maxBytes: MAX_BYTES });
    ({ app, queue, aws } = server);
  });
  afterAll(async () => server?.close());

  const presign = (payload: object, headers: Record<string, string> = bearer) =>
    app.inject({ method: "POST", url: "/api/uploads", headers, payload });
  const createSandbox = (payload: object) =>
    app.inject({ method: "POST", url: "/api/environments", headers: bearer, payload });
  const putTo = (ticket: Ticket, body: Buffer) =>
    fetch(ticket.uploadUrl, { method: ticket.method, headers: ticket.headers, body: new Uint8Array(body) });

  it("says uploads are presigned", async () => {
    const response = await app.inject({ method: "GET", url: "/api/uploads/config" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ upload: "presigned", maxBytes: MAX_BYTES });
  });

  it("presigns, takes the PUT, and queues a deploy of exactly that upload", async () => {
    const archive = makeTarball(stackTree);
    const sha256 = sha256Of(archive);
    const response = await presign({ repository: "acme/api", owner: "octocat", sha256, bytes: archive.length });
    expect(response.statusCode, response.body).toBe(200);
    const ticket = response.json() as Ticket;
    expect(ticket).toMatchObject({ uploadId: `upload-${sha256.slice(0, 16)}`, method: "PUT", alreadyUploaded: false });
    // The length and the checksum are signed: S3 refuses any other bytes.
    expect(ticket.headers).toEqual({
      "content-length": String(archive.length),
      "x-amz-checksum-sha256": Buffer.from(sha256, "hex").toString("base64"),
    });
    const signed = new URL(ticket.uploadUrl).searchParams.get("X-Amz-SignedHeaders")?.split(";");
    expect(signed).toEqual(expect.arrayContaining(["content-length", "x-amz-checksum-sha256"]));
    expect(Date.parse(ticket.expiresAt)).toBeGreaterThan(Date.now());

    const put = await putTo(ticket, archive);
    expect(put.status, await put.text()).toBe(200);
    expect(await listObjectKeys(aws.clients.s3, aws.bucket, "uploads/")).toContain(`uploads/${ticket.uploadId}.tar.gz`);

    const created = await createSandbox({ repository: "acme/api", owner: "octocat", uploadId: ticket.uploadId });
    expect(created.statusCode, created.body).toBe(202);
    const body = created.json() as { id: string; jobId: string; branch: string };
    expect(body.branch).toBe("(working tree)");
    const job = (await queue.listPending()).find((j) => j.id === body.jobId);
    expect(job).toMatchObject({ environmentId: body.id, commitSha: ticket.uploadId });
    const events = await server.registry.listEvents(body.id);
    expect(events.find((e) => e.type === "deploy_requested")?.message).toContain(ticket.uploadId);

    // The same bytes again: the server says they are there (no PUT needed), and the queued deploy
    // is updated, not doubled, as for a tarball sent in the request.
    const again = (await presign({ repository: "acme/api", owner: "octocat", sha256, bytes: archive.length })).json();
    expect(again).toMatchObject({ uploadId: ticket.uploadId, alreadyUploaded: true });
    const twice = await createSandbox({ repository: "acme/api", owner: "octocat", uploadId: ticket.uploadId });
    expect(twice.statusCode).toBe(202);
    expect((await queue.listPending(body.id)).map((j) => j.commitSha)).toEqual([ticket.uploadId]);
  });

  it("refuses a size over the limit, a malformed hash, no token, an unknown repository", async () => {
    const sha256 = "a".repeat(64);
    const tooLarge = await presign({ repository: "acme/api", owner: "octocat", sha256, bytes: MAX_BYTES + 1 });
    expect(tooLarge.statusCode).toBe(413);
    expect(codeOf(tooLarge)).toBe("ARCHIVE_TOO_LARGE");
    for (const bad of [{ sha256: "abc" }, { sha256: "z".repeat(64) }, { bytes: 0 }, { bytes: -1 }, { bytes: 1.5 }]) {
      const response = await presign({ repository: "acme/api", owner: "octocat", sha256, bytes: 10, ...bad });
      expect(response.statusCode, JSON.stringify(bad)).toBe(400);
      expect(codeOf(response)).toBe("INVALID_INPUT");
    }
    const noToken = await presign({ repository: "acme/api", owner: "octocat", sha256, bytes: 10 }, {});
    expect(noToken.statusCode).toBe(401);
    const unknown = await presign({ repository: "acme/other", owner: "octocat", sha256, bytes: 10 });
    expect(codeOf(unknown)).toBe("REPOSITORY_NOT_CONFIGURED");
  });

  it("refuses a sandbox from an upload that was never PUT, or from a ref and an upload at once", async () => {
    const before = (await queue.listPending()).length;
    const missing = await createSandbox({
      repository: "acme/api",
      owner: "hubot",
      uploadId: "upload-0123456789abcdef",
    });
    expect(missing.statusCode).toBe(422);
    expect(codeOf(missing)).toBe("SOURCE_NOT_FOUND");
    const both = await createSandbox({
      repository: "acme/api",
      owner: "hubot",
      ref: "main",
      uploadId: "upload-0123456789abcdef",
    });
    expect(codeOf(both)).toBe("INVALID_INPUT");
    const malformed = await createSandbox({ repository: "acme/api", owner: "hubot", uploadId: "upload-xyz" });
    expect(codeOf(malformed)).toBe("INVALID_INPUT");
    expect((await queue.listPending()).length).toBe(before);
  });

  it("answers a tarball in the request with PRESIGNED_UPLOAD_REQUIRED, without reading it", async () => {
    for (const size of [1024, 5 * MAX_BYTES]) {
      const response = await app.inject({
        method: "POST",
        url: "/api/environments?repository=acme/api&owner=octocat",
        headers: { ...bearer, "content-type": "application/gzip" },
        payload: Buffer.alloc(size),
      });
      expect(response.statusCode, `${size} bytes`).toBe(415);
      expect(codeOf(response)).toBe("PRESIGNED_UPLOAD_REQUIRED");
      expect((response.json() as { error: { message: string } }).error.message).toContain("POST /api/uploads");
    }
  });

  it("documents the upload routes in the OpenAPI document", async () => {
    const document = (await app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    expect(document.paths["/api/uploads"].post.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths["/api/uploads"].post.requestBody.content["application/json"].schema.required).toEqual([
      "repository",
      "owner",
      "sha256",
      "bytes",
    ]);
    expect(document.paths["/api/uploads/config"].get.responses["200"]).toBeDefined();
    const sandbox = document.paths["/api/environments"].post.requestBody.content["application/json"].schema;
    expect(sandbox.properties.uploadId.pattern).toBe("^upload-[0-9a-f]{16}$");
  });
});

describe("a server that keeps uploads itself", () => {
  it("says so, and sends the presigned way back to the request body", async () => {
    const h = await createDashboardHarness();
    try {
      const config = await h.app.inject({ method: "GET", url: "/api/uploads/config" });
      expect(config.json()).toEqual({ upload: "body", maxBytes: 1024 * 1024 });
      const presign = await h.app.inject({
        method: "POST",
        url: "/api/uploads",
        headers: h.bearer,
        payload: { repository: "acme/api", owner: "octocat", sha256: "a".repeat(64), bytes: 10 },
      });
      expect(presign.statusCode).toBe(404);
      const byId = await h.app.inject({
        method: "POST",
        url: "/api/environments",
        headers: h.bearer,
        payload: { repository: "acme/api", owner: "octocat", uploadId: "upload-0123456789abcdef" },
      });
      expect(byId.statusCode).toBe(400);
      expect(codeOf(byId)).toBe("INVALID_INPUT");
      expect(await h.queue.listPending()).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
