import type { UploadBucket } from "./upload-bucket.ts";

export interface LoadS3UploadBucketOptions {
  /** The bucket of STACKFORK_STATE_URL. */
  bucket: string;
  /** Largest upload, compressed (uploadMaxMegabytes). */
  maxBytes: number;
}

/**
 * The S3 upload bucket (create-s3-upload-bucket.ts) with the S3 SDK and the presigner loaded on
 * first use: the entry points that never touch an upload (the webhook) never parse them.
 */
export function loadS3UploadBucket(options: LoadS3UploadBucketOptions): UploadBucket {
  let loaded: Promise<UploadBucket> | undefined;
  const load = () => {
    loaded ??= (async () => {
      const [{ createS3UploadBucket }, { createS3Client }] = await Promise.all([
        import("./create-s3-upload-bucket.ts"),
        import("../aws/create-aws-clients.ts"),
      ]);
      return createS3UploadBucket({ ...options, s3: createS3Client() });
    })();
    return loaded;
  };
  return {
    maxBytes: options.maxBytes,
    presignUpload: async (request) => (await load()).presignUpload(request),
    findUpload: async (uploadId) => (await load()).findUpload(uploadId),
    openUpload: async (uploadId) => (await load()).openUpload(uploadId),
  };
}
