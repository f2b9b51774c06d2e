import type { EnvironmentStatus } from "./environment.ts";
import { StackforkError } from "./errors.ts";

/**
 * Allowed status changes. A deploy may be queued again from any settled state; a destroy may start
 * from anywhere but `destroyed`; a destroyed environment comes back only through `queued`.
 */
const allowedTransitions: Record<EnvironmentStatus, readonly EnvironmentStatus[]> = {
  queued: ["queued", "deploying", "destroying", "awaiting_approval"],
  awaiting_approval: ["awaiting_approval", "queued", "destroying", "destroyed"],
  deploying: ["deploying", "ready", "failed", "queued", "destroying"],
  ready: ["queued", "deploying", "destroying", "awaiting_approval"],
  failed: ["queued", "deploying", "destroying", "awaiting_approval"],
  destroying: ["destroying", "destroyed", "failed"],
  destroyed: ["queued", "awaiting_approval", "destroying", "destroyed"],
};

export function canTransition(from: EnvironmentStatus, to: EnvironmentStatus): boolean {
  return allowedTransitions[from].includes(to);
}

/** Throws INVALID_TRANSITION instead of silently applying an illegal status change. */
export function assertTransition(from: EnvironmentStatus, to: EnvironmentStatus): void {
  if (!canTransition(from, to)) {
    throw new StackforkError("INVALID_TRANSITION", `an environment cannot go from ${from} to ${to}`, {
      details: { from, to },
    });
  }
}
