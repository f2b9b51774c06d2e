/** A wake's message body: "this environment may have work" (the job is a hint, never the truth). */
export interface WakeBody {
  environmentId: string;
  jobId?: string;
}

export type ParsedWake = { ok: true; body: WakeBody } | { ok: false; reason: string };

/**
 * Reads a wake's SQS message body. Never throws: a body nobody can act on is for the caller to
 * acknowledge and drop (retrying it would only move it to the dead-letter queue, 5 receives later).
 */
export function parseWake(body: string | undefined): ParsedWake {
  let value: unknown;
  try {
    value = JSON.parse(body ?? "");
  } catch {
    return { ok: false, reason: "the body is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "the body is not a JSON object" };
  }
  const { environmentId, jobId } = value as Record<string, unknown>;
  if (typeof environmentId !== "string" || environmentId === "") {
    return { ok: false, reason: "environmentId is missing or not a string" };
  }
  if (jobId !== undefined && typeof jobId !== "string") return { ok: false, reason: "jobId is not a string" };
  return { ok: true, body: { environmentId, ...(jobId !== undefined && { jobId }) } };
}
