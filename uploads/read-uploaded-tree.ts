import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { requiredSourcePathOf } from "../core/cloudformation-config.ts";
import { StackforkError } from "../core/errors.ts";
import { isUploadId } from "../core/upload-id.ts";
import type { ReadSource } from "../source/create-source-reader.ts";
import type { FetchUpload } from "./fetch-bucket-upload.ts";

/**
 * The source of a job whose commitSha is an upload id: the tree storeUploadedTree kept or, when the
 * uploads live in a bucket (AWS: the dashboard and the worker share no disk), the tree `fetchUpload`
 * brings there first, from the bucket.
 */
export function readUploadedTree(uploadsDir: string, fetchUpload?: FetchUpload): ReadSource {
  return async ({ commitSha, repository }) => {
    if (commitSha === undefined || !isUploadId(commitSha)) {
      throw new StackforkError("SOURCE_NOT_FOUND", `${String(commitSha)} is not an uploaded tree's id`);
    }
    const dir = path.join(uploadsDir, commitSha);
    if (!existsSync(dir) && fetchUpload) {
      await fetchUpload(commitSha, dir);
      // Checked at upload time when the server keeps the bytes; a presigned upload is first seen here.
      if (!existsSync(path.join(dir, requiredSourcePathOf(repository)))) {
        await rm(dir, { recursive: true, force: true });
        throw new StackforkError(
          "UPLOAD_INVALID",
          `the uploaded tree ${commitSha} has no ${requiredSourcePathOf(repository)} (the stack project of ${repository.name}): upload the repository's root folder`,
        );
      }
    }
    if (!existsSync(dir)) {
      throw new StackforkError(
        "SOURCE_NOT_FOUND",
        `${repository.name}: the uploaded tree ${commitSha} is no longer in ${uploadsDir} (upload it again: stackfork sandbox up --dir)`,
      );
    }
    return { commitSha, dir };
  };
}
