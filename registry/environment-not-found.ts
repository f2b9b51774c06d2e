import { StackforkError } from "../core/errors.ts";

/** The NOT_FOUND every registry method throws for an unknown environment id. */
export function environmentNotFound(id: string): StackforkError {
  return new StackforkError("NOT_FOUND", `no environment ${id}`, { details: { id } });
}
