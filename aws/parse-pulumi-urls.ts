/**
 * The parts of Pulumi's backend and secrets-provider URLs that stackfork itself needs (to create the
 * bucket and the key in `aws bootstrap`, to list stacks for the orphan report). The engine reads the
 * URLs whole; the `endpoint` and `region` query parameters are Go CDK's, see
 * https://gocloud.dev/howto/blob/#s3 and https://gocloud.dev/howto/secrets/#aws.
 */
export interface S3StateUrl {
  bucket: string;
  /** Key prefix inside the bucket ("" for the root); Pulumi's `.pulumi/` folder sits under it. */
  prefix: string;
  region?: string;
  endpoint?: string;
}

export interface KmsSecretsUrl {
  /** `alias/<name>`, a key id, or a key ARN. */
  keyId: string;
  region?: string;
  endpoint?: string;
}

export function parseS3StateUrl(url: string): S3StateUrl | undefined {
  if (!url.startsWith("s3://")) return undefined;
  const parsed = new URL(url);
  return {
    bucket: parsed.hostname,
    prefix: decodeURIComponent(parsed.pathname.replace(/^\/+/, "")),
    ...optional(parsed, "region"),
    ...optional(parsed, "endpoint"),
  };
}

export function parseKmsSecretsUrl(provider: string): KmsSecretsUrl | undefined {
  if (!provider.startsWith("awskms://")) return undefined;
  const parsed = new URL(provider);
  // `awskms://alias/name` parses with host `alias`, path `/name`; a bare key id is all host.
  const keyId = decodeURIComponent(`${parsed.hostname}${parsed.pathname}`);
  return { keyId, ...optional(parsed, "region"), ...optional(parsed, "endpoint") };
}

function optional(url: URL, name: "region" | "endpoint"): { region?: string } | { endpoint?: string } {
  const value = url.searchParams.get(name);
  return value ? { [name]: value } : {};
}
