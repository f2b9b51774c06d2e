import type { Environment } from "../core/environment.ts";
import type { HistoryEvent } from "../core/history-event.ts";
import type { LogLine } from "../registry/registry.ts";
import type { Progress } from "./create-progress.ts";
import { requestApi } from "./request-api.ts";

export interface WaitForJobRequest {
  serverUrl: string;
  token?: string;
  environmentId: string;
  jobId: string;
  progress: Progress;
  /** @default 30 minutes */
  timeoutMs?: number;
  /** @default 1000 */
  pollMs?: number;
}

export interface JobOutcome {
  ok: boolean;
  environment: Environment;
  /** The event that ended the job, when one did. */
  event?: HistoryEvent;
}

const SUCCESS = new Set(["deploy_succeeded", "destroy_succeeded"]);
const FAILURE = new Set(["deploy_failed", "destroy_failed", "deploy_aborted", "deploy_superseded"]);

/**
 * Follows one job through the environment's history until it succeeds or fails, showing its status,
 * elapsed time and latest engine line as it goes.
 */
export async function waitForJob(request: WaitForJobRequest): Promise<JobOutcome> {
  const { serverUrl, token, environmentId, jobId, progress } = request;
  const started = Date.now();
  const deadline = started + (request.timeoutMs ?? 30 * 60_000);
  const path = `/api/environments/${encodeURIComponent(environmentId)}`;
  let after = 0;
  let lastLine = "";
  for (;;) {
    const environment = await requestApi<Environment & { events: HistoryEvent[] }>(serverUrl, path, { token });
    const end = environment.events.findLast((e) => e.jobId === jobId && (SUCCESS.has(e.type) || FAILURE.has(e.type)));
    const logs = await requestApi<{ lines: LogLine[] }>(
      serverUrl,
      `${path}/logs?jobId=${encodeURIComponent(jobId)}&after=${after}&limit=1000`,
      { token },
    );
    const newest = logs.lines.findLast((line) => line.text.trim() !== "");
    if (newest) lastLine = newest.text.trim();
    after = logs.lines.at(-1)?.seq ?? after;
    const elapsed = Math.round((Date.now() - started) / 1000);
    progress.update(`${environment.name}: ${environment.status} · ${elapsed}s${lastLine ? ` · ${lastLine}` : ""}`);
    const { events: _events, ...rest } = environment;
    if (end) return { ok: SUCCESS.has(end.type), environment: rest, event: end };
    if (Date.now() > deadline) return { ok: false, environment: rest };
    await new Promise((resolve) => setTimeout(resolve, request.pollMs ?? 1000));
  }
}
