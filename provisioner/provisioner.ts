import type { ConfigEntry, ConfigOverride } from "../core/config-entry.ts";
import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { SeedRequest } from "./seed/seed-request.ts";

export interface OperationHooks {
  /** Aborting asks the engine to stop (the CLI gets SIGINT) and the operation fails with DEPLOY_CANCELLED. */
  signal: AbortSignal;
  /** One line of engine output, as it happens. */
  onOutput: (line: string) => void;
  /** The provisioner repaired something on its own (a stale lock): say so in history. */
  onRecovery: (message: string) => void;
}

export interface DeployRequest extends OperationHooks {
  environment: Environment;
  repository: RepositoryConfig;
  /** Absent when only the branch is known: its head is resolved from the source. */
  commitSha?: string;
  /** The environment's own config values (API, CLI, dashboard): above every other source. */
  configOverrides?: readonly ConfigOverride[];
}

export interface DeployResult {
  commitSha: string;
  url?: string;
  outputs: Record<string, unknown>;
  /** Resources the update created, updated, replaced, deleted or left alone. */
  changes: Record<string, number>;
  /** The copy's config from its template and overrides, with sources; secret values masked. */
  config?: ConfigEntry[];
}

export interface DestroyRequest extends OperationHooks {
  environment: Environment;
  repository: RepositoryConfig;
}

/** Creates, updates and destroys an environment's stack. Errors are StackforkErrors with our codes. */
export interface Provisioner {
  deploy(request: DeployRequest): Promise<DeployResult>;
  destroy(request: DestroyRequest): Promise<{ changes: Record<string, number> }>;
  /** Runs the repository's seed step against a deployed copy (seed/create-seed-step.ts); throws SEED_FAILED. */
  seed?(request: SeedRequest): Promise<void>;
  /** Releases what it keeps ready between jobs (idle runner processes). */
  close?(): void;
}
