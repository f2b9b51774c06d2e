import { SESSION } from "./copy-identity-conditions.ts";
import { type DeployerScope, pulumiFolderOf } from "./deployer-scope.ts";
import type { IamStatement } from "./iam-policy-document.ts";

/**
 * The environment's own stack in Pulumi's DIY backend, and nothing else of the bucket. The layout
 * (project mode, pulumi/pulumi pkg/backend/diy store.go, lock.go, state.go):
 *   .pulumi/meta.yaml                                    read when the backend opens (the platform writes it)
 *   .pulumi/stacks/<project>/<stack>.json[.gz|.zst][.bak] the checkpoint, found by listing `<stack>.json`
 *   .pulumi/stacks/<project>/<stack>.pulumi-tags          stack tags
 *   .pulumi/locks/organization/<project>/<stack>/<id>.json  update locks, listed before an update
 *   .pulumi/history/<project>/<stack>/...                 update history, listed (and emptied by `stack rm`)
 *   .pulumi/backups/<project>/<stack>/...                 checkpoint backups, listed (and emptied by `stack rm`)
 * Stack names are `[a-z0-9-]` (no `.`), so `<stack>.json*` of `shop-main` never matches `shop-main-2.json`.
 * The only other listing the CLI makes, of `.pulumi/stacks/` for a legacy-layout warning, is refused
 * and tolerated (set PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=1 to skip it).
 */
export function deployerStateStatements(scope: DeployerScope): IamStatement[] {
  if (!scope.stateBucket) return [];
  const bucket = `arn:${scope.partition}:s3:::${scope.stateBucket}`;
  const folder = pulumiFolderOf(scope);
  const stack = `${folder}stacks/${SESSION.project}/${SESSION.environment}`;
  const dirs = [
    `${folder}locks/organization/${SESSION.project}/${SESSION.environment}/`,
    `${folder}history/${SESSION.project}/${SESSION.environment}/`,
    `${folder}backups/${SESSION.project}/${SESSION.environment}/`,
  ];
  return [
    {
      Sid: "OwnStackState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
      Resource: [`${stack}.json*`, `${stack}.pulumi-tags`, ...dirs.map((dir) => `${dir}*`)].map(
        (key) => `${bucket}/${key}`,
      ),
    },
    { Sid: "ReadStateLayout", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucket}/${folder}meta.yaml`] },
    {
      // The exact prefixes the CLI lists. Also what lets S3 answer 404 (not 403) for a missing key.
      Sid: "ListOwnStackState",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucket],
      Condition: { StringEquals: { "s3:prefix": [`${stack}.json`, ...dirs] } },
    },
    ...deployerKeyStatements(scope, bucket),
  ];
}

/**
 * The one KMS key does two things. As the `awskms://` secrets provider it encrypts each stack's data
 * key, under the encryption context `environment=<stack>` that the runner puts in the provider URL
 * (`awskms://alias/<prefix>?region=..&context_environment=<environment>`: gocloud.dev/secrets/awskms
 * reads `context_<key>=` parameters), so a session decrypts its own stack's key and no other. As the
 * bucket's SSE-KMS key it is used by S3 on the session's behalf (kms:ViaService), for this bucket only.
 */
function deployerKeyStatements(scope: DeployerScope, bucket: string): IamStatement[] {
  if (!scope.kmsKeyArn) return [];
  return [
    {
      Sid: "OwnStackSecrets",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt"],
      Resource: [scope.kmsKeyArn],
      Condition: { StringEquals: { "kms:EncryptionContext:environment": SESSION.environment } },
    },
    {
      // With a bucket key, S3's encryption context is the bucket's ARN.
      Sid: "StateBucketEncryption",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: [scope.kmsKeyArn],
      Condition: {
        StringEquals: {
          "kms:ViaService": `s3.${scope.region}.amazonaws.com`,
          "kms:EncryptionContext:aws:s3:arn": bucket,
        },
      },
    },
  ];
}
