import type { Readable } from "node:stream";

/**
 * Where sandboxes' uploaded working trees are kept when the server's own disk is no place for them
 * (AWS: a Function URL takes 6 MB at most, and the worker Lambda never sees the dashboard's /tmp).
 * One object per upload id (core/upload-id.ts); the client sends the bytes itself, to a presigned URL.
 */
export interface UploadBucket {
  /** Largest upload, compressed, in bytes. */
  readonly maxBytes: number;
  /** Where the bytes of `uploadId` go: a URL only exactly those bytes can be sent to. */
  presignUpload(request: PresignRequest): Promise<PresignedUpload>;
  /** The upload's size when its object is there. */
  findUpload(uploadId: string): Promise<{ bytes: number } | undefined>;
  /** The upload's bytes; SOURCE_NOT_FOUND when there is no such object. */
  openUpload(uploadId: string): Promise<{ body: Readable; bytes?: number }>;
}

export interface PresignRequest {
  uploadId: string;
  /** SHA-256 of the gzip tarball, 64 hex digits. */
  sha256: string;
  /** Its exact length. */
  bytes: number;
}

export interface PresignedUpload {
  method: "PUT";
  url: string;
  /** Sent with the PUT exactly as given: they are part of the signature. */
  headers: Record<string, string>;
  expiresAt: Date;
}
