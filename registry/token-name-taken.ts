import { StackforkError } from "../core/errors.ts";

/** A live named token already has that name: the name says who the token is in history, so one at a time. */
export function tokenNameTaken(name: string): StackforkError {
  return new StackforkError("CONFLICT", `a token named ${JSON.stringify(name)} already exists: revoke it first`);
}
