import { type WaitForJobRequest, waitForJob } from "./wait-for-job.ts";

export type FollowJobRequest = WaitForJobRequest;

/**
 * Waits for a job and reports how it ended: on stdout the preview URL (a deploy) or the name (a
 * destroy), alone on the last line; on stderr what failed and where to look. Returns the exit code.
 */
export async function followJob(request: FollowJobRequest): Promise<number> {
  const outcome = await waitForJob(request);
  request.progress.done();
  const { environment, event } = outcome;
  if (outcome.ok) {
    if (event?.type === "destroy_succeeded") {
      console.error(`${environment.name} destroyed`);
      console.log(environment.name);
    } else {
      console.error(
        `${environment.name} is ready${environment.lastDeployMs ? ` (deployed in ${Math.round(environment.lastDeployMs / 1000)}s)` : ""}`,
      );
      console.log(environment.url ?? "(no url output)");
    }
    return 0;
  }
  const why = event
    ? `${event.type}${event.errorCode ? ` ${event.errorCode}` : ""}: ${event.message}`
    : "gave up waiting (the job is still queued or running)";
  console.error(`${environment.name}: ${why}\n  see: stackfork logs ${environment.id}`);
  return 1;
}
