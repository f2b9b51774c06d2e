import type { CloudFormationJob } from "../cloudformation/cloudformation-job.ts";
import type { ConfigEntry } from "../core/config-entry.ts";
import type { PulumiEngineOptions } from "./pulumi-engine-options.ts";

/** What the provisioner asks of a stack-operation runner process (sent over IPC). */
export interface StackOperationRequest {
  operation: "up" | "destroy";
  engine: PulumiEngineOptions;
  projectName: string;
  stackName: string;
  /** `up`: the checkout's stack project, whose own program runs. */
  stackDir?: string;
  /** `up` of a CloudFormation copy: the platform's inline program runs instead of the checkout's (cloudformation/). */
  cloudformation?: CloudFormationJob;
  /** The runner's working directory for the operation (a warm runner starts elsewhere). */
  cwd: string;
  /** Set on the stack before `up` (the environment's overrides). */
  config: Record<string, string>;
  /**
   * `up`: the copy's config from its template and overrides (copy-config/), under `config`; secret
   * values are encrypted by the copy's own secrets provider.
   */
  copyConfig?: Record<string, { value: string; secret: boolean }>;
  /**
   * The job's own variables (its AWS credentials, HOME), added to the runner's environment before
   * anything runs: a runner started ahead of its job did not know them.
   */
  env: Record<string, string>;
}

/** What the runner reports back, in order: started, output lines, recoveries, then done or failed. */
export type StackOperationMessage =
  | { type: "started" }
  | { type: "output"; line: string }
  | { type: "recovered"; message: string }
  | {
      type: "done";
      outputs: Record<string, unknown>;
      changes: Record<string, number>;
      /** A CloudFormation copy's effective parameters with their sources, secrets masked (resolved in the runner). */
      config?: ConfigEntry[];
    }
  | { type: "failed"; code: string; message: string };
