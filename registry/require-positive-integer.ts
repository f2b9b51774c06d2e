import { StackforkError } from "../core/errors.ts";

/** INVALID_INPUT unless `value` (a caller's `limit`) is a positive integer. */
export function requirePositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new StackforkError("INVALID_INPUT", `${what} must be a positive integer`, { details: { [what]: value } });
  }
}
