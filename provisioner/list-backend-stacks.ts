import type { S3Client } from "@aws-sdk/client-s3";
import { StackforkError } from "../core/errors.ts";
import { listFileBackendStacksIn, readFileBackendStatesIn, type StackRef } from "./list-file-backend-stacks.ts";
import { listS3BackendStacks, readS3BackendStates } from "./list-s3-backend-stacks.ts";
import { fileBackendDirOf } from "./resolve-backend-url.ts";

export interface BackendReadOptions {
  /** Needed for an `s3://` backend (aws/create-aws-clients.ts). */
  s3?: S3Client;
}

/**
 * Every stack of the engine's backend (`resolveBackendUrl(engine)`), whichever it is: `file://` or
 * `s3://`. For the orphan report (reaper/find-orphans.ts).
 */
export async function listBackendStacks(backendUrl: string, options: BackendReadOptions = {}): Promise<StackRef[]> {
  const dir = fileBackendDirOf(backendUrl);
  if (dir) return listFileBackendStacksIn(dir);
  return listS3BackendStacks({ backendUrl, s3: requireS3(backendUrl, options) });
}

/** Every stack's current state, as text, whichever the backend (for the source-tree sweep). */
export async function readBackendStates(backendUrl: string, options: BackendReadOptions = {}): Promise<string[]> {
  const dir = fileBackendDirOf(backendUrl);
  if (dir) return readFileBackendStatesIn(dir);
  return readS3BackendStates({ backendUrl, s3: requireS3(backendUrl, options) });
}

function requireS3(backendUrl: string, { s3 }: BackendReadOptions): S3Client {
  if (!backendUrl.startsWith("s3://")) {
    throw new StackforkError("CONFIG_INVALID", `${backendUrl}: stackfork reads file:// and s3:// backends only`);
  }
  if (!s3) throw new StackforkError("CONFIG_INVALID", `${backendUrl}: reading an s3:// backend needs an S3 client`);
  return s3;
}
