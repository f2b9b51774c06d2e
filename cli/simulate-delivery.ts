import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { StackforkError } from "../core/errors.ts";
import { buildSimulatedPayload, type SimulatedEvent } from "./build-simulated-payload.ts";
import type { Progress } from "./create-progress.ts";
import { followJob } from "./follow-job.ts";

export interface SimulateRequest {
  serverUrl: string;
  webhookSecret: string;
  simulated: SimulatedEvent;
  /** API token, to follow the queued job with `wait`. */
  token?: string;
  wait: boolean;
  progress: Progress;
}

/**
 * `stackfork simulate`: a delivery signed exactly as GitHub signs one (X-Hub-Signature-256 over the
 * exact bytes, a fresh X-GitHub-Delivery), sent to a running server: for demos, and for trying
 * stackfork without GitHub. Prints the server's answer; exit 0 when it took the delivery (2xx).
 */
export async function simulateDelivery(request: SimulateRequest): Promise<number> {
  const body = JSON.stringify(buildSimulatedPayload(request.simulated));
  const deliveryId = randomUUID();
  let response: Response;
  try {
    response = await fetch(new URL("/webhooks/github", request.serverUrl), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/stackfork-simulate",
        "x-github-event": request.simulated.event,
        "x-github-delivery": deliveryId,
        "x-hub-signature-256": await sign(request.webhookSecret, body),
      },
      body,
    });
  } catch (err) {
    throw new StackforkError(
      "NOT_FOUND",
      `no stackfork server at ${request.serverUrl} (start one with \`stackfork serve\`)`,
      {
        cause: err,
      },
    );
  }
  const answer = (await response.json().catch(() => ({}))) as { queued?: { environment?: string; jobId?: string }[] };
  console.error(`${request.simulated.event} delivery ${deliveryId}: HTTP ${response.status}`);
  console.error(JSON.stringify(answer, null, 2));
  if (!response.ok) return 1;
  const first = answer.queued?.[0];
  if (!request.wait || !first?.environment || !first.jobId) return 0;
  return followJob({
    serverUrl: request.serverUrl,
    token: request.token,
    environmentId: first.environment,
    jobId: first.jobId,
    progress: request.progress,
  });
}
