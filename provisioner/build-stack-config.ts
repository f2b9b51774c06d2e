import path from "node:path";
import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";

/** The environment's overrides, under the `stackfork` namespace the stack program reads. */
export function buildStackConfig(
  environment: Environment,
  repository: RepositoryConfig,
  commitSha: string,
  dataDir: string,
) {
  const config: Record<string, string> = {
    "stackfork:environment": environment.name,
    "stackfork:repository": environment.repository,
    "stackfork:branch": environment.branch,
    "stackfork:commit": commitSha,
    "stackfork:target": repository.target,
    "stackfork:dataDir": path.join(dataDir, "copies", environment.name),
  };
  if (environment.owner) config["stackfork:owner"] = environment.owner;
  if (environment.expiresAt) config["stackfork:expiresAt"] = environment.expiresAt;
  return config;
}
