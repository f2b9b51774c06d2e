import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { formatUploadId } from "../core/upload-id.ts";
import { extractTarballSafely } from "../source/extract-tarball-safely.ts";

export interface StoreUploadedTreeRequest {
  /** The gzip tarball of a working tree, entries relative to its root. */
  archive: Buffer;
  /** `<data dir>/uploads`: one folder per upload id. */
  uploadsDir: string;
  /** Uncompressed limits of the tree. */
  maxBytes: number;
  maxEntries: number;
}

export interface StoredUpload {
  /** `upload-<16 hex>`: the job's commitSha for this tree. */
  uploadId: string;
  dir: string;
  /** The same bytes were uploaded before: nothing was extracted again. */
  reused: boolean;
}

/**
 * Keeps an uploaded working tree under the data dir, named by the hash of its bytes, so that the
 * worker can deploy it later (and again, on redeploy) like a commit. An unsafe archive is refused
 * whole (ARCHIVE_UNSAFE, ARCHIVE_TOO_LARGE, ARCHIVE_INVALID) and leaves nothing behind.
 */
export async function storeUploadedTree(request: StoreUploadedTreeRequest): Promise<StoredUpload> {
  const uploadId = formatUploadId(createHash("sha256").update(request.archive).digest("hex"));
  const dir = path.join(request.uploadsDir, uploadId);
  if (existsSync(dir)) return { uploadId, dir, reused: true };
  try {
    await extractTarballSafely({
      archive: request.archive,
      destination: dir,
      maxBytes: request.maxBytes,
      maxEntries: request.maxEntries,
    });
  } catch (err) {
    if (existsSync(dir)) return { uploadId, dir, reused: true }; // the same upload, twice at once
    throw err;
  }
  return { uploadId, dir, reused: false };
}
