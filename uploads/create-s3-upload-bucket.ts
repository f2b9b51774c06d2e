import type { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import { StackforkError } from "../core/errors.ts";
import type { UploadBucket } from "./upload-bucket.ts";

/** Under the platform's bucket root: the dashboard's role may PutObject there and nowhere else (platform/stackfork-platform-policies.ts). */
export const UPLOADS_PREFIX = "uploads/";

export interface S3UploadBucketOptions {
  /** From aws/create-aws-clients.ts: the SDK's standard chain says where S3 is. */
  s3: S3Client;
  /** The bucket of STACKFORK_STATE_URL. */
  bucket: string;
  /** Largest upload, compressed (uploadMaxMegabytes). */
  maxBytes: number;
  /**
   * How long a presigned URL stays valid. Signed with a Lambda role's session, it also ends with
   * that session: https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
   * @default 900 (15 minutes)
   */
  expiresInSeconds?: number;
}

/**
 * Uploaded working trees as `uploads/<upload id>.tar.gz` objects of the state bucket. A presigned
 * PUT signs `content-length` and `x-amz-checksum-sha256`, so S3 itself refuses other bytes (400
 * BadDigest) or another length; the worker checks the hash again when it reads the object
 * (fetch-bucket-upload.ts), which also covers emulators that check no signature. Existence is
 * read with ListObjectsV2: the dashboard may list the bucket but not read its objects.
 */
export function createS3UploadBucket(options: S3UploadBucketOptions): UploadBucket {
  const { bucket, maxBytes } = options;
  const expiresIn = options.expiresInSeconds ?? 900;
  const keyOf = (uploadId: string) => `${UPLOADS_PREFIX}${uploadId}.tar.gz`;

  return {
    maxBytes,

    async presignUpload({ uploadId, sha256, bytes }) {
      const checksum = Buffer.from(sha256, "hex").toString("base64");
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: keyOf(uploadId),
        ContentLength: bytes,
        ChecksumSHA256: checksum,
      });
      const url = await getSignedUrl(options.s3, command, {
        expiresIn,
        // Signed, and left as headers: S3 checks the checksum header against the body, not a query parameter.
        signableHeaders: new Set(["content-length", "x-amz-checksum-sha256"]),
        unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
      }).catch((err: unknown) => {
        throw translateAwsError(err, `presigning PutObject s3://${bucket}/${keyOf(uploadId)}`);
      });
      return {
        method: "PUT",
        url,
        headers: { "content-length": String(bytes), "x-amz-checksum-sha256": checksum },
        expiresAt: new Date(Date.now() + expiresIn * 1000),
      };
    },

    async findUpload(uploadId) {
      const Key = keyOf(uploadId);
      const page = await options.s3
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: Key, MaxKeys: 1 }))
        .catch((err: unknown) => {
          throw translateAwsError(err, `ListObjectsV2 s3://${bucket}/${Key}`);
        });
      const object = page.Contents?.find((o) => o.Key === Key);
      return object ? { bytes: object.Size ?? 0 } : undefined;
    },

    async openUpload(uploadId) {
      const Key = keyOf(uploadId);
      try {
        const object = await options.s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
        if (!object.Body) throw new StackforkError("SOURCE_NOT_FOUND", `s3://${bucket}/${Key} has no body`);
        return { body: object.Body as Readable, bytes: object.ContentLength };
      } catch (err) {
        if ((err as { name?: string }).name === "NoSuchKey") {
          throw new StackforkError(
            "SOURCE_NOT_FOUND",
            `the uploaded tree ${uploadId} is not in s3://${bucket}/${UPLOADS_PREFIX} (upload it again: stackfork sandbox up --dir)`,
            { cause: err },
          );
        }
        throw translateAwsError(err, `GetObject s3://${bucket}/${Key}`);
      }
    },
  };
}
