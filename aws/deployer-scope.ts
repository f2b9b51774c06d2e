/** Where the deployer's documents apply: plain strings, so bootstrap (SDK) and the platform (Pulumi) both fill them. */
export interface DeployerScope {
  /** `aws`, `aws-cn`, ... */
  partition: string;
  region: string;
  account: string;
  /** STACKFORK_AWS_PREFIX: the platform's own names (tables, queues, secrets, roles), never a copy's. */
  prefix: string;
  /** The bucket of STACKFORK_STATE_URL (`s3://<bucket>[/<key prefix>]`); without it, no state rights. */
  stateBucket?: string;
  /** The URL's path: the key prefix Pulumi's `.pulumi/` folder sits under ("" at the bucket's root). */
  stateKeyPrefix?: string;
  /** The key of the `awskms://` secrets provider, which also encrypts the bucket (SSE-KMS). */
  kmsKeyArn?: string;
}

/** `<bucket>/<prefix>/.pulumi/` as object keys read it: no leading slash, one trailing. */
export function pulumiFolderOf(scope: DeployerScope): string {
  const prefix = (scope.stateKeyPrefix ?? "").replace(/^\/+|\/+$/g, "");
  return `${prefix ? `${prefix}/` : ""}.pulumi/`;
}
