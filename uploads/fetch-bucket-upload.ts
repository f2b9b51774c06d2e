import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StackforkError } from "../core/errors.ts";
import { formatUploadId } from "../core/upload-id.ts";
import { extractTarballSafely } from "../source/extract-tarball-safely.ts";
import type { UploadBucket } from "./upload-bucket.ts";

export interface FetchBucketUploadOptions {
  bucket: Pick<UploadBucket, "openUpload">;
  /** Largest object, compressed: nothing bigger is downloaded. */
  maxBytes: number;
  /** Uncompressed limits of the tree (extract-tarball-safely.ts). */
  maxTreeBytes: number;
  maxEntries: number;
}

/** Brings an upload's tree to `destination`; the folder appears whole, or not at all. */
export type FetchUpload = (uploadId: string, destination: string) => Promise<void>;

/**
 * The worker's side of a presigned upload: downloads `uploadId`'s object to a file beside
 * `destination`, refuses it unless its bytes hash to that id (UPLOAD_MISMATCH) and fit `maxBytes`
 * (ARCHIVE_TOO_LARGE), then extracts it as safely as any archive (ARCHIVE_UNSAFE, ARCHIVE_INVALID).
 * The whole file is checked before one entry is written: a tree on disk is always the one signed for.
 */
export function fetchBucketUpload(options: FetchBucketUploadOptions): FetchUpload {
  return async (uploadId, destination) => {
    await mkdir(path.dirname(destination), { recursive: true });
    const download = `${destination}.download-${process.pid}-${Date.now()}.tar.gz`;
    try {
      await downloadChecked(options, uploadId, download);
      await extractTarballSafely({
        archive: createReadStream(download),
        destination,
        maxBytes: options.maxTreeBytes,
        maxEntries: options.maxEntries,
      });
    } catch (err) {
      if (existsSync(destination)) return; // the same upload, fetched twice at once
      throw err;
    } finally {
      await rm(download, { force: true });
    }
  };
}

async function downloadChecked(options: FetchBucketUploadOptions, uploadId: string, file: string): Promise<void> {
  const { maxBytes } = options;
  const object = await options.bucket.openUpload(uploadId);
  const tooLarge = () =>
    new StackforkError("ARCHIVE_TOO_LARGE", `the upload ${uploadId} is over ${maxBytes} bytes`, {
      details: { maxBytes },
    });
  if (object.bytes !== undefined && object.bytes > maxBytes) {
    object.body.destroy();
    throw tooLarge();
  }
  const hash = createHash("sha256");
  let bytes = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(tooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(object.body, check, createWriteStream(file, { flags: "wx", mode: 0o600 }));
  const got = formatUploadId(hash.digest("hex"));
  if (got !== uploadId) {
    throw new StackforkError(
      "UPLOAD_MISMATCH",
      `the object of ${uploadId} holds other bytes (${got}): upload it again (stackfork sandbox up --dir)`,
      { details: { uploadId, got } },
    );
  }
}
