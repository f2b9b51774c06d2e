import { type Environment, formatIdentityKey } from "../core/environment.ts";
import { identityOf } from "../core/identity-of.ts";
import { formatSearchText } from "./format-search-text.ts";
import type { EnvironmentRow } from "./prepare-sqlite-registry-statements.ts";

/** The row of `environment`: absent fields as NULL, outputs as JSON, the keys it is found by. */
export function toSqliteEnvironmentRow(environment: Environment): EnvironmentRow {
  return {
    id: environment.id,
    name: environment.name,
    identity_key: formatIdentityKey(identityOf(environment)),
    kind: environment.kind,
    repository: environment.repository,
    repository_key: environment.repository.toLowerCase(),
    branch: environment.branch,
    pull_request: environment.pullRequest ?? null,
    owner: environment.owner ?? null,
    status: environment.status,
    url: environment.url ?? null,
    commit_sha: environment.commitSha ?? null,
    created_at: environment.createdAt,
    updated_at: environment.updatedAt,
    expires_at: environment.expiresAt ?? null,
    last_error_code: environment.lastError?.code ?? null,
    last_error_message: environment.lastError?.message ?? null,
    last_deploy_ms: environment.lastDeployMs ?? null,
    outputs_json: environment.outputs === undefined ? null : JSON.stringify(environment.outputs),
    // Read back by the caller only: the environment's writes never set this column (saveCost does).
    cost_json: environment.cost === undefined ? null : JSON.stringify(environment.cost),
    search_text: formatSearchText(environment),
  };
}
