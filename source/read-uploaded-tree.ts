import { existsSync } from "node:fs";
import path from "node:path";
import { StackforkError } from "../core/errors.ts";
import { isUploadId } from "../core/upload-id.ts";
import type { ReadSource } from "./create-source-reader.ts";

/** The source of a job whose commitSha is an upload id: the tree storeUploadedTree kept. */
export function readUploadedTree(uploadsDir: string): ReadSource {
  return async ({ commitSha, repository }) => {
    if (commitSha === undefined || !isUploadId(commitSha)) {
      throw new StackforkError("SOURCE_NOT_FOUND", `${String(commitSha)} is not an uploaded tree's id`);
    }
    const dir = path.join(uploadsDir, commitSha);
    if (!existsSync(dir)) {
      throw new StackforkError(
        "SOURCE_NOT_FOUND",
        `${repository.name}: the uploaded tree ${commitSha} is no longer in ${uploadsDir} (upload it again: stackfork sandbox up --dir)`,
      );
    }
    return { commitSha, dir };
  };
}
