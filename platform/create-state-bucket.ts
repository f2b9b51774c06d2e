import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "./stackfork-platform-policies.ts";

/** Days an uploaded working tree stays in the state bucket. */
const UPLOAD_DAYS = 30;
/** Days a replaced version of a state object stays (the bucket is versioned). */
const REPLACED_STATE_DAYS = 90;

/** Pulumi's DIY backend: versioned (a bad write can be brought back), KMS-encrypted, private, TLS only. */
export function createStateBucket(
  parent: pulumi.ComponentResource,
  deps: { name: string; prefix: string; key: aws.kms.Key },
): aws.s3.Bucket {
  const { name, prefix, key } = deps;
  // Bucket names are global and lowercase: a unique name from the prefix (at most 37 characters).
  const bucketPrefix = `${prefix.toLowerCase().replace(/_/g, "-").slice(0, 30)}-state-`;
  const bucket = new aws.s3.Bucket(`${name}-state`, { bucketPrefix }, { parent });
  new aws.s3.BucketVersioning(
    `${name}-state`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    { parent },
  );
  // Uploaded working trees (`uploads/`) are kept 30 days: a sandbox redeployed later is uploaded
  // again. Replaced versions of the state are kept 90 days: long enough to bring a state back.
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-state`,
    {
      bucket: bucket.id,
      rules: [
        { id: "uploads", status: "Enabled", filter: { prefix: "uploads/" }, expiration: { days: UPLOAD_DAYS } },
        {
          id: "replaced-state-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: REPLACED_STATE_DAYS },
        },
      ],
    },
    { parent },
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-state`,
    {
      bucket: bucket.id,
      // A bucket key: one KMS request per object and period, not per request.
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
          bucketKeyEnabled: true,
        },
      ],
    },
    { parent },
  );
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    `${name}-state`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { parent },
  );
  new aws.s3.BucketPolicy(
    `${name}-state`,
    {
      bucket: bucket.id,
      policy: policyDocument([
        {
          // A deny over every S3 action: a wildcard that takes rights away, never one that grants them.
          Sid: "DenyWithoutTls",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:*"],
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    },
    // S3 refuses a bucket policy while the public access block is being put in place.
    { parent, dependsOn: [publicAccessBlock] },
  );
  // Pulumi's DIY backend writes this when missing, but a deployer session may only read it
  // (aws/ensure-pulumi-state-layout.ts says why): the project-scoped layout, written up front.
  new aws.s3.BucketObjectv2(
    `${name}-state-layout`,
    { bucket: bucket.id, key: ".pulumi/meta.yaml", content: "version: 1\n", contentType: "text/yaml" },
    { parent },
  );
  return bucket;
}
