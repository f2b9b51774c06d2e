import { StackforkError } from "../core/errors.ts";

export function tokenNotFound(name: string): StackforkError {
  return new StackforkError("NOT_FOUND", `no live token named ${JSON.stringify(name)}`);
}
