import type { Environment } from "../core/environment.ts";
import type { Progress } from "./create-progress.ts";
import { followJob } from "./follow-job.ts";
import { requestApi } from "./request-api.ts";

export interface EnvironmentChangeRequest {
  serverUrl: string;
  token?: string;
  environmentId: string;
  change: "redeploy" | "destroy";
  wait: boolean;
  progress: Progress;
}

/** `stackfork redeploy <env>` and `stackfork destroy <env>` (and `sandbox down`): ask, then follow the job. */
export async function requestEnvironmentChange(request: EnvironmentChangeRequest): Promise<number> {
  const { serverUrl, token, environmentId, progress } = request;
  const route = `/api/environments/${encodeURIComponent(environmentId)}`;
  progress.update(`${request.change} ${environmentId}`);
  const answer = await requestApi<Environment & { jobId?: string; ignored?: string }>(
    serverUrl,
    request.change === "redeploy" ? `${route}/redeploy` : route,
    { method: request.change === "redeploy" ? "POST" : "DELETE", token },
  );
  if (!answer.jobId || !request.wait) {
    progress.done();
    if (answer.ignored) console.error(`${answer.name}: nothing queued (${answer.ignored})`);
    console.log(answer.name);
    return 0;
  }
  return followJob({ serverUrl, token, environmentId: answer.id, jobId: answer.jobId, progress });
}
