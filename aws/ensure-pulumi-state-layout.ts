import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { S3StateUrl } from "./parse-pulumi-urls.ts";
import { translateAwsError } from "./translate-aws-error.ts";

/**
 * Pulumi's DIY backend reads `.pulumi/meta.yaml` when it opens, and writes it when missing
 * (pulumi/pulumi pkg/backend/diy/meta.go). A deployer session may read it but not write it (it
 * reaches its own stack's keys only), so the platform writes it first: `version: 1`, the
 * project-scoped layout the deployer's policy is written for. A bucket with stacks of the legacy
 * layout (`.pulumi/stacks/<stack>.json`) is left as it is, for `pulumi state upgrade`.
 * Returns whether it wrote the file.
 */
export async function ensurePulumiStateLayout(s3: S3Client, state: S3StateUrl): Promise<boolean> {
  const prefix = state.prefix.replace(/^\/+|\/+$/g, "");
  const folder = `${prefix ? `${prefix}/` : ""}.pulumi/`;
  const Key = `${folder}meta.yaml`;
  try {
    await s3.send(new HeadObjectCommand({ Bucket: state.bucket, Key }));
    return false;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name !== "NotFound" && e.name !== "NoSuchKey" && e.$metadata?.httpStatusCode !== 404) {
      throw translateAwsError(err, `HeadObject s3://${state.bucket}/${Key}`);
    }
  }
  try {
    const legacy = await s3.send(
      new ListObjectsV2Command({ Bucket: state.bucket, Prefix: `${folder}stacks/`, Delimiter: "/", MaxKeys: 1 }),
    );
    if ((legacy.Contents ?? []).length > 0) return false;
    await s3.send(new PutObjectCommand({ Bucket: state.bucket, Key, Body: "version: 1\n", ContentType: "text/yaml" }));
    return true;
  } catch (err) {
    throw translateAwsError(err, `PutObject s3://${state.bucket}/${Key}`);
  }
}
