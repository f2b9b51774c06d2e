import type { Environment } from "../core/environment.ts";
import type { Via } from "../core/principal.ts";

/** A change of an environment worth telling the people on GitHub about. */
export interface EnvironmentNotice {
  /** The environment after the change (status, url, commitSha, pullRequest, expiresAt...). */
  environment: Environment;
  /** `approved`: a fork's commit was approved (comment or label) and its deploy queued. */
  phase: "deploying" | "ready" | "failed" | "destroyed" | "awaiting_approval" | "approved";
  /**
   * The commit being deployed (during `deploying` it is not yet on the environment); the one that
   * waits (`awaiting_approval`) or was approved (`approved`).
   */
  commitSha?: string;
  /** `approved`: a later commit of the fork that still waits for its own approval. */
  awaitingCommitSha?: string;
  error?: { code: string; message: string };
  /** The last lines of the engine log, on failure. */
  logTail?: string[];
  /**
   * Why it happened, in words: the job's reason ("expired at ...", "branch deleted"...), who approved
   * (`approved`), why an approval was refused (`awaiting_approval`).
   */
  reason?: string;
  /** Who asked for the change, when a person or a named token did (issue 22): the comment says so. */
  by?: { actor: string; via: Via };
  jobId?: string;
}

/**
 * Tells GitHub (sticky PR comment, Deployments API) what happened to an environment. Must never
 * throw and never fail a deploy: a notifier that cannot reach GitHub logs and carries on.
 */
export interface Notifier {
  notify(notice: EnvironmentNotice): Promise<void>;
}
