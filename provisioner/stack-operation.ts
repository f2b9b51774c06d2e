import type { PulumiEngineOptions } from "./open-stack.ts";

/** What the provisioner asks of a stack-operation runner process (sent over IPC). */
export interface StackOperationRequest {
  operation: "up" | "destroy";
  engine: PulumiEngineOptions;
  projectName: string;
  stackName: string;
  /** `up`: the checkout's stack project, whose own program runs. */
  stackDir?: string;
  /** Set on the stack before `up` (the environment's overrides). */
  config: Record<string, string>;
}

/** What the runner reports back, in order: output lines, recoveries, then one of done / failed. */
export type StackOperationMessage =
  | { type: "output"; line: string }
  | { type: "recovered"; message: string }
  | { type: "done"; outputs: Record<string, unknown>; changes: Record<string, number> }
  | { type: "failed"; code: string; message: string };
