import type { Environment } from "../../core/environment.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";

/** What a seed step is run with: the copy just deployed, at its commit, with its outputs. */
export interface SeedRequest {
  environment: Environment;
  repository: RepositoryConfig;
  commitSha: string;
  outputs: Record<string, unknown>;
  signal: AbortSignal;
  /** Each line of the seed's output: the job's live log. */
  onOutput: (line: string) => void;
}
