import {
  CommandError,
  ConcurrentUpdateError,
  StackAlreadyExistsError,
  StackNotFoundError,
} from "@pulumi/pulumi/automation/index.js";
import { readProviderError } from "../cloudformation/provider-error.ts";
import { StackforkError } from "../core/errors.ts";

/**
 * The one place where Automation API errors become our codes. Nothing else in stackfork looks at
 * Pulumi's error classes or their message text.
 */
export function mapPulumiError(err: unknown, action: string): StackforkError {
  if (err instanceof StackforkError) return err;
  const cause = err instanceof Error ? err : new Error(String(err));
  if (err instanceof ConcurrentUpdateError) {
    return new StackforkError("STACK_LOCKED", `${action}: another update holds the stack's lock.`, { cause });
  }
  if (err instanceof StackNotFoundError) {
    return new StackforkError("STACK_NOT_FOUND", `${action}: the stack does not exist.`, { cause });
  }
  if (err instanceof StackAlreadyExistsError) {
    return new StackforkError("STACK_ALREADY_EXISTS", `${action}: the stack already exists.`, { cause });
  }
  if (err instanceof CommandError) {
    // A platform-owned dynamic provider (a CloudFormation copy) says its code in its message.
    const raised = readProviderError(cause.message);
    if (raised) return new StackforkError(raised.code, `${action} failed: ${raised.message}`, { cause });
    return new StackforkError("DEPLOY_FAILED", `${action} failed: ${lastLines(cause.message, 20)}`, { cause });
  }
  return new StackforkError("DEPLOY_FAILED", `${action} failed: ${cause.message}`, { cause });
}

function lastLines(text: string, count: number): string {
  return text.trim().split("\n").slice(-count).join("\n");
}
