import { StackforkError } from "../core/errors.ts";

/** Both adapters refuse a lease that would expire at once (or never be a whole number of ms). */
export function requirePositiveLease(leaseMs: number): void {
  if (!Number.isInteger(leaseMs) || leaseMs < 1) {
    throw new StackforkError("INVALID_INPUT", "leaseMs must be a positive integer", { details: { leaseMs } });
  }
}
