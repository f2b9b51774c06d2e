import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createDashboardHarness, DASHBOARD_TOKEN, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { listObjectKeys } from "../test/support/s3-objects.ts";
import { createUploadBucketServer, type UploadBucketServer } from "../test/support/upload-bucket-server.ts";
import { fetchBucketUpload } from "../uploads/fetch-bucket-upload.ts";
import { readUploadedTree } from "../uploads/read-uploaded-tree.ts";
import type { Progress } from "./create-progress.ts";
import { sandboxUp } from "./sandbox-up.ts";

const repository = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
} as RepositoryConfig;

function recordingProgress(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return { lines, update: (text) => void lines.push(text), done: () => undefined };
}

// `stackfork sandbox up --dir` against real HTTP servers (no worker): it asks the server how uploads
// go, and takes the presigned S3 way by itself when the server says so.
describe("sandbox up --dir", () => {
  let work: string;
  let tree: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-sandbox-up-"));
    tree = path.join(work, "tree");
    const files: Record<string, string> = {
      "stacks/service/Pulumi.yaml": "name: service\nruntime: nodejs\n",
      "stacks/service/index.ts": "export default async () => ({});\n",
      "NOTE.txt": "uncommitted change\n",
      "node_modules/dep/index.js": "never uploaded",
    };
    for (const [file, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
      writeFileSync(path.join(tree, file), body);
    }
    vi.spyOn(console, "log").mockImplementation(() => undefined);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    rmSync(work, { recursive: true, force: true });
  });

  const up = (serverUrl: string, progress: Progress, owner = "octocat") =>
    sandboxUp({
      serverUrl,
      token: DASHBOARD_TOKEN,
      owner,
      repository: "acme/api",
      dir: tree,
      wait: false,
      progress,
    });

  describe("to a server whose uploads live in S3", () => {
    let server: UploadBucketServer;
    let serverUrl: string;
    beforeAll(async () => {
      server = await createUploadBucketServer("sandbox-up");
      serverUrl = await server.app.listen({ port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => server?.close());

    it("PUTs the tarball to the presigned URL and asks for the sandbox by its upload id", async () => {
      const progress = recordingProgress();
      expect(await up(serverUrl, progress)).toBe(0);
      const [job] = await server.queue.listPending();
      expect(job?.commitSha).toMatch(/^upload-[0-9a-f]{16}$/);
      const uploadId = job?.commitSha ?? "";
      expect(await listObjectKeys(server.aws.clients.s3, server.aws.bucket, "uploads/")).toEqual([
        `uploads/${uploadId}.tar.gz`,
      ]);
      expect(progress.lines.some((line) => line.startsWith("uploading"))).toBe(true);
      // Nothing was kept on the server's own disk: the worker reads the bucket.
      expect(existsSync(path.join(server.dir, "uploads"))).toBe(false);

      // What the worker makes of it: the same tree, without node_modules.
      const uploads = path.join(work, "worker-uploads");
      const read = readUploadedTree(
        uploads,
        fetchBucketUpload({ bucket: server.uploadBucket, maxBytes: 1 << 20, maxTreeBytes: 1 << 24, maxEntries: 100 }),
      );
      const checkout = await read({ repository, environment: {} as Environment, commitSha: uploadId });
      expect(readFileSync(path.join(checkout.dir, "NOTE.txt"), "utf8")).toBe("uncommitted change\n");
      expect(existsSync(path.join(checkout.dir, "node_modules"))).toBe(false);

      // The same tree again: no second PUT, and the queued deploy is the same one.
      const again = recordingProgress();
      expect(await up(serverUrl, again)).toBe(0);
      expect(again.lines.some((line) => line.includes("uploaded already"))).toBe(true);
      expect((await server.queue.listPending()).map((j) => j.commitSha)).toEqual([uploadId]);
    });
  });

  describe("to a server that keeps uploads itself", () => {
    let h: DashboardHarness;
    let serverUrl: string;
    beforeAll(async () => {
      h = await createDashboardHarness();
      serverUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => h?.close());

    it("sends the tarball in the request, as before", async () => {
      const progress = recordingProgress();
      expect(await up(serverUrl, progress, "hubot")).toBe(0);
      const [job] = await h.queue.listPending();
      expect(job?.commitSha).toMatch(/^upload-[0-9a-f]{16}$/);
      expect(existsSync(path.join(h.dir, "uploads", job?.commitSha ?? "", "NOTE.txt"))).toBe(true);
      expect(progress.lines.some((line) => line.startsWith(`uploading`) && line.includes(serverUrl))).toBe(true);
    });
  });
});
