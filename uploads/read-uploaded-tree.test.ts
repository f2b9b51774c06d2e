import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createSourceReader } from "../source/create-source-reader.ts";
import { readUploadedTree } from "./read-uploaded-tree.ts";

const repository: RepositoryConfig = {
  name: "acme/api",
  // A clone that does not exist: git must never be asked for an upload id.
  localPath: "/nonexistent/clone",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};
const environment = { id: "api-sb-octocat", name: "api-sb-octocat", branch: "(working tree)" } as Environment;

describe("an uploaded tree as the source", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-uploads-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads an upload id from the uploads, never from the clone", async () => {
    mkdirSync(path.join(dir, "upload-0123456789abcdef"));
    const read = createSourceReader({ sourcesDir: path.join(dir, "sources"), fromUpload: readUploadedTree(dir) });
    expect(await read({ repository, environment, commitSha: "upload-0123456789abcdef" })).toEqual({
      commitSha: "upload-0123456789abcdef",
      dir: path.join(dir, "upload-0123456789abcdef"),
    });
  });

  it("fails with SOURCE_NOT_FOUND when the upload is gone, or uploads are not enabled", async () => {
    const read = createSourceReader({ sourcesDir: dir, fromUpload: readUploadedTree(dir) });
    await expect(read({ repository, environment, commitSha: "upload-ffffffffffffffff" })).rejects.toMatchObject({
      code: "SOURCE_NOT_FOUND",
    });
    const without = createSourceReader({ sourcesDir: dir });
    await expect(without({ repository, environment, commitSha: "upload-ffffffffffffffff" })).rejects.toMatchObject({
      code: "SOURCE_NOT_FOUND",
    });
  });
});
