import type { EnvironmentCost } from "./environment-cost.ts";

/** What a secret stack output is stored and shown as. */
export const MASKED_SECRET = "[secret]";

export type EnvironmentKind = "branch" | "pull_request" | "sandbox";

export type EnvironmentStatus =
  | "queued"
  | "deploying"
  | "ready"
  | "failed"
  | "destroying"
  | "destroyed"
  | "awaiting_approval";

/** What an environment is a copy for: exactly one of these per environment. */
export type EnvironmentIdentity =
  | { kind: "branch"; repository: string; branch: string }
  | { kind: "pull_request"; repository: string; pullRequest: number; branch: string }
  | { kind: "sandbox"; repository: string; owner: string; branch: string };

export interface EnvironmentError {
  code: string;
  message: string;
}

/** The Environment JSON of the external contract (DESIGN.md). */
export interface Environment {
  id: string;
  name: string;
  kind: EnvironmentKind;
  /** `owner/name` */
  repository: string;
  branch: string;
  pullRequest?: number;
  owner?: string;
  status: EnvironmentStatus;
  url?: string;
  commitSha?: string;
  /** ISO 8601 */
  createdAt: string;
  updatedAt: string;
  expiresAt?: string;
  lastError?: EnvironmentError;
  /** How long the last deploy took, in milliseconds. */
  lastDeployMs?: number;
  /** The stack outputs of the last successful deploy; a secret output is MASKED_SECRET, never its value. */
  outputs?: Record<string, unknown>;
  /** The last cost measurement (issue 21); absent before the first. Saving one leaves `updatedAt` alone. */
  cost?: EnvironmentCost;
}

/** The exact identity as one string: the input of the name hash and the registry's unique key. */
export function formatIdentityKey(identity: EnvironmentIdentity): string {
  const repository = identity.repository.toLowerCase();
  switch (identity.kind) {
    case "branch":
      return `branch:${repository}:${identity.branch}`;
    case "pull_request":
      return `pull_request:${repository}:${identity.pullRequest}`;
    case "sandbox":
      return `sandbox:${repository}:${identity.owner.toLowerCase()}`;
  }
}
