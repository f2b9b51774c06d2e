import { createHash } from "node:crypto";
import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** Where packaged code and templates go: one bucket, the environment's own prefix. */
export interface ArtifactLocation {
  bucket: string;
  /** Ends with `/`; one per environment, so no copy can plant an object another copy would use. */
  prefix: string;
  region: string;
}

export interface ArtifactStore {
  location: ArtifactLocation;
  /** Uploads the bytes under their content's hash unless that key exists; says which it did. */
  put(bytes: Uint8Array, extension: string): Promise<{ key: string; uploaded: boolean }>;
}

/** An S3 artifact store with content-addressed keys (`<prefix><sha256>.<extension>`). */
export function createArtifactStore(s3: S3Client, location: ArtifactLocation): ArtifactStore {
  return {
    location,
    async put(bytes, extension) {
      const key = `${location.prefix}${createHash("sha256").update(bytes).digest("hex")}.${extension}`;
      if (await exists(s3, location.bucket, key)) return { key, uploaded: false };
      await s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: key, Body: bytes }));
      return { key, uploaded: true };
    },
  };
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((err as Error).name === "NotFound" || status === 404) return false;
    throw err;
  }
}

/**
 * The URL CloudFormation takes for a template in S3. The virtual-hosted form, which is AWS's own;
 * moto reads the bucket from the host's first label and the object from its own store.
 */
export function templateUrlOf(location: ArtifactLocation, key: string): string {
  return `https://${location.bucket}.s3.${location.region}.amazonaws.com/${key}`;
}
