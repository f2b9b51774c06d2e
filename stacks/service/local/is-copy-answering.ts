/** A copy that does not answer within this is as good as dead: the next `up` restarts it. */
const ANSWER_TIMEOUT_MS = 3000;

/** The harness leaves stackfork's own checks out of the copy's usage (its figures are the copy's traffic). */
export const PROBE_HEADER = "x-stackfork-probe";

/**
 * Whether the copy at `url` answers `GET /` as the copy of `environment` at `commit`: a port that
 * answers as something else (another process took it after a restart) does not count.
 */
export async function isCopyAnswering(
  url: string,
  expected: { environment: string; commit: string },
): Promise<boolean> {
  try {
    const res = await fetch(`${url}/`, {
      headers: { [PROBE_HEADER]: "1" },
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    if (res.status !== 200) return false;
    const body = (await res.json()) as { environment?: unknown; commit?: unknown };
    return body.environment === expected.environment && body.commit === expected.commit;
  } catch {
    return false;
  }
}
