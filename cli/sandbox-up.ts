import path from "node:path";
import { isStackforkError } from "../core/errors.ts";
import type { Progress } from "./create-progress.ts";
import { followJob } from "./follow-job.ts";
import { packWorkingTree } from "./pack-working-tree.ts";
import { requestApi } from "./request-api.ts";
import { uploadToBucket } from "./upload-to-bucket.ts";

export interface SandboxUpRequest {
  serverUrl: string;
  token?: string;
  owner: string;
  repository: string;
  /** A branch or commit of the repository's clone on the server... */
  ref?: string;
  /** ...or a working tree here, uploaded. */
  dir?: string;
  /** Wait for the deploy and print the preview URL. */
  wait: boolean;
  progress: Progress;
}

/** `stackfork sandbox up`: asks for (or updates) `sandbox/<owner>` and follows its deploy. */
export async function sandboxUp(request: SandboxUpRequest): Promise<number> {
  const { serverUrl, token, owner, repository, progress } = request;
  let answer: { id: string; name: string; jobId?: string; ignored?: string };
  if (request.dir !== undefined) {
    const dir = path.resolve(request.dir);
    progress.update(`packing ${dir} (without node_modules and .git)`);
    const archive = await packWorkingTree(dir);
    if ((await readUploadWay(serverUrl, token)) === "presigned") {
      const uploadId = await uploadToBucket({ serverUrl, token, repository, owner, archive, progress });
      progress.update(`asking ${serverUrl} for ${repository} sandbox of ${owner} from ${uploadId}`);
      answer = await requestApi(serverUrl, "/api/environments", {
        method: "POST",
        body: { repository, owner, uploadId },
        token,
      });
    } else {
      progress.update(`uploading ${(archive.length / 1024).toFixed(0)} KiB to ${serverUrl}`);
      const query = new URLSearchParams({ repository, owner });
      answer = await requestApi(serverUrl, `/api/environments?${query}`, { method: "POST", body: archive, token });
    }
  } else {
    progress.update(`asking ${serverUrl} for ${repository} sandbox of ${owner}`);
    answer = await requestApi(serverUrl, "/api/environments", {
      method: "POST",
      body: { repository, owner, ...(request.ref ? { ref: request.ref } : {}) },
      token,
    });
  }
  if (!answer.jobId) {
    progress.done();
    console.error(`${answer.name}: nothing queued (${answer.ignored ?? "no job"})`);
    return 0;
  }
  if (!request.wait) {
    progress.done();
    console.log(answer.name);
    return 0;
  }
  return followJob({ serverUrl, token, environmentId: answer.id, jobId: answer.jobId, progress });
}

/** How the server takes a working tree; a server older than GET /api/uploads/config takes it in the body. */
async function readUploadWay(serverUrl: string, token: string | undefined): Promise<"body" | "presigned"> {
  try {
    const config = await requestApi<{ upload: "body" | "presigned" }>(serverUrl, "/api/uploads/config", { token });
    return config.upload;
  } catch (err) {
    if (isStackforkError(err, "NOT_FOUND") && (err.details as { status?: number } | undefined)?.status === 404)
      return "body";
    throw err;
  }
}
