import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { formatUploadId } from "../core/upload-id.ts";
import { createAwsStackforkEnv } from "../test/support/aws-stackfork-env.ts";
import { buildTarball, type TarballEntry } from "../test/support/build-tarball.ts";
import { createS3UploadBucket, UPLOADS_PREFIX } from "./create-s3-upload-bucket.ts";
import { fetchBucketUpload } from "./fetch-bucket-upload.ts";
import { readUploadedTree } from "./read-uploaded-tree.ts";

const repository: RepositoryConfig = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};
const environment = { id: "api-sb-octocat", name: "api-sb-octocat", branch: "(working tree)" } as Environment;
const stackTree: TarballEntry[] = [
  { path: "stacks/service/Pulumi.yaml", body: "name: service\nruntime: nodejs\n" },
  { path: "stacks/service/index.ts", body: "export default async () => ({});\n" },
  { path: "NOTE.txt", body: "uncommitted change\n" },
];

const uploadIdOf = (archive: Buffer) => formatUploadId(createHash("sha256").update(archive).digest("hex"));

// The worker's side of a presigned upload, against the run's S3 emulator: the object is downloaded,
// checked against its id, and extracted with the same refusals as any archive.
describe("an uploaded tree read from the upload bucket", () => {
  let aws: Awaited<ReturnType<typeof createAwsStackforkEnv>>;
  let bucket: ReturnType<typeof createS3UploadBucket>;
  let dir: string;
  let read: ReturnType<typeof readUploadedTree>;

  beforeAll(async () => {
    aws = await createAwsStackforkEnv("upload-source");
    bucket = createS3UploadBucket({ s3: aws.clients.s3, bucket: aws.bucket, maxBytes: 64 * 1024 });
  });
  afterAll(() => aws?.clients.destroy());
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-bucket-uploads-"));
    read = readUploadedTree(
      dir,
      fetchBucketUpload({ bucket, maxBytes: 64 * 1024, maxTreeBytes: 640 * 1024, maxEntries: 100 }),
    );
    return () => rmSync(dir, { recursive: true, force: true });
  });

  const put = async (uploadId: string, archive: Buffer) =>
    aws.clients.s3.send(
      new PutObjectCommand({ Bucket: aws.bucket, Key: `${UPLOADS_PREFIX}${uploadId}.tar.gz`, Body: archive }),
    );
  /** Nothing but finished trees in the uploads folder: no scratch folder, no download left over. */
  const leftovers = () => (existsSync(dir) ? readdirSync(dir) : []);

  it("downloads and extracts the tree once, then reads it from the disk", async () => {
    const archive = buildTarball(stackTree);
    const uploadId = uploadIdOf(archive);
    await put(uploadId, archive);
    const checkout = await read({ repository, environment, commitSha: uploadId });
    expect(checkout).toEqual({ commitSha: uploadId, dir: path.join(dir, uploadId) });
    expect(readFileSync(path.join(checkout.dir, "NOTE.txt"), "utf8")).toBe("uncommitted change\n");
    expect(leftovers()).toEqual([uploadId]);

    // A redeploy on the same container reads the extracted tree: the object is not asked for again.
    await aws.clients.s3.send(
      new DeleteObjectCommand({ Bucket: aws.bucket, Key: `${UPLOADS_PREFIX}${uploadId}.tar.gz` }),
    );
    expect(await read({ repository, environment, commitSha: uploadId })).toEqual(checkout);
  });

  it.each([
    ["a `../` entry", [{ path: "stacks/service/../../escaped.txt", body: "out" }]],
    ["an absolute path", [{ path: "/tmp/stackfork-escaped.txt", body: "out" }]],
    ["a symlink to /etc", [{ path: "etc", type: "SymbolicLink", linkpath: "/etc" }]],
    ["a link that climbs out", [{ path: "stacks/out", type: "SymbolicLink", linkpath: "../../.." }]],
    ["a hard link", [{ path: "stacks/hard", type: "Link", linkpath: "stacks/service/index.ts" }]],
  ] as [string, TarballEntry[]][])("refuses %s (ARCHIVE_UNSAFE) and leaves nothing behind", async (_label, bad) => {
    const archive = buildTarball([...stackTree, ...bad]);
    const uploadId = uploadIdOf(archive);
    await put(uploadId, archive);
    await expect(read({ repository, environment, commitSha: uploadId })).rejects.toMatchObject({
      code: "ARCHIVE_UNSAFE",
    });
    expect(leftovers()).toEqual([]);
    expect(existsSync("/tmp/stackfork-escaped.txt")).toBe(false);
  });

  it("refuses an object whose bytes are not the ones its id was made of (UPLOAD_MISMATCH)", async () => {
    const signedFor = buildTarball(stackTree);
    const uploadId = uploadIdOf(signedFor);
    // AWS refuses such a PUT (the checksum is signed); an emulator, or a bucket written by hand, may not.
    await put(uploadId, buildTarball([...stackTree, { path: "extra.txt", body: "other bytes" }]));
    await expect(read({ repository, environment, commitSha: uploadId })).rejects.toMatchObject({
      code: "UPLOAD_MISMATCH",
    });
    expect(leftovers()).toEqual([]);
  });

  it("refuses an object over the upload limit before reading it (ARCHIVE_TOO_LARGE)", async () => {
    // Random bytes do not compress: the tarball stays over the 64 KiB limit.
    const huge = buildTarball([...stackTree, { path: "big.bin", body: randomBytes(80 * 1024) }]);
    const uploadId = uploadIdOf(huge);
    await put(uploadId, huge);
    await expect(read({ repository, environment, commitSha: uploadId })).rejects.toMatchObject({
      code: "ARCHIVE_TOO_LARGE",
    });
    expect(leftovers()).toEqual([]);
  });

  it("refuses a tree without the stack project (UPLOAD_INVALID), and one that was never uploaded", async () => {
    const archive = buildTarball([{ path: "README.md", body: "no stack here\n" }]);
    const uploadId = uploadIdOf(archive);
    await put(uploadId, archive);
    await expect(read({ repository, environment, commitSha: uploadId })).rejects.toMatchObject({
      code: "UPLOAD_INVALID",
    });
    expect(leftovers()).toEqual([]);
    await expect(read({ repository, environment, commitSha: "upload-0000000000000000" })).rejects.toMatchObject({
      code: "SOURCE_NOT_FOUND",
    });
    expect(leftovers()).toEqual([]);
  });
});
