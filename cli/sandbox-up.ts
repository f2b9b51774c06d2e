import path from "node:path";
import type { Progress } from "./create-progress.ts";
import { followJob } from "./follow-job.ts";
import { packWorkingTree } from "./pack-working-tree.ts";
import { requestApi } from "./request-api.ts";

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
    progress.update(`uploading ${(archive.length / 1024).toFixed(0)} KiB to ${serverUrl}`);
    const query = new URLSearchParams({ repository, owner });
    answer = await requestApi(serverUrl, `/api/environments?${query}`, { method: "POST", body: archive, token });
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
