import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { parseS3StateUrl } from "../aws/parse-pulumi-urls.ts";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import { StackforkError } from "../core/errors.ts";
import type { StackRef } from "./list-file-backend-stacks.ts";

export interface S3BackendOptions {
  /** `STACKFORK_STATE_URL`, `s3://<bucket>[/<prefix>]?...`. */
  backendUrl: string;
  /** From aws/create-aws-clients.ts: the SDK's standard chain, not the URL's query, says where S3 is. */
  s3: S3Client;
}

/**
 * Every stack in an `s3://` backend, of every project: read from Pulumi's DIY layout,
 * `<prefix>/.pulumi/stacks/<project>/<stack>.json` (history, backups, locks and `.json.bak` copies
 * sit beside it and do not count), no engine run. The same answer as listFileBackendStacks.
 */
export async function listS3BackendStacks({ backendUrl, s3 }: S3BackendOptions): Promise<StackRef[]> {
  const { bucket, stacksPrefix } = locateStacks(backendUrl);
  const stacks: StackRef[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: stacksPrefix, ContinuationToken }))
      .catch((err: unknown) => {
        throw translateAwsError(err, `ListObjectsV2 s3://${bucket}/${stacksPrefix}`);
      });
    for (const object of page.Contents ?? []) {
      const ref = toStackRef(object.Key?.slice(stacksPrefix.length), object.LastModified);
      if (ref) stacks.push(ref);
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return stacks.sort((a, b) => a.project.localeCompare(b.project) || a.stack.localeCompare(b.stack));
}

/** Every stack's current state object, as text (what a deployed stack still refers to). */
export async function readS3BackendStates(options: S3BackendOptions): Promise<string[]> {
  const { bucket, stacksPrefix } = locateStacks(options.backendUrl);
  const texts: string[] = [];
  for (const { project, stack } of await listS3BackendStacks(options)) {
    const Key = `${stacksPrefix}${project}/${stack}.json`;
    try {
      const object = await options.s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      texts.push((await object.Body?.transformToString("utf8")) ?? "");
    } catch (err) {
      // Removed between the listing and the read: it no longer refers to anything.
      if ((err as { name?: string }).name === "NoSuchKey") continue;
      throw translateAwsError(err, `GetObject s3://${bucket}/${Key}`);
    }
  }
  return texts;
}

function locateStacks(backendUrl: string): { bucket: string; stacksPrefix: string } {
  const state = parseS3StateUrl(backendUrl);
  if (!state) throw new StackforkError("CONFIG_INVALID", `${backendUrl} is not an s3:// backend URL`);
  const prefix = state.prefix.replace(/\/+$/, "");
  return { bucket: state.bucket, stacksPrefix: `${prefix ? `${prefix}/` : ""}.pulumi/stacks/` };
}

/** `<project>/<stack>.json` only: a key with no project is the legacy (pre-project) layout. */
function toStackRef(rest: string | undefined, lastModified: Date | undefined): StackRef | undefined {
  const match = rest?.match(/^([^/]+)\/([^/]+)\.json$/);
  if (!match) return undefined;
  return {
    project: match[1] as string,
    stack: match[2] as string,
    updatedAt: (lastModified ?? new Date(0)).toISOString(),
  };
}
