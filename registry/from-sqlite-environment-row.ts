import type { Environment } from "../core/environment.ts";
import type { EnvironmentCost } from "../core/environment-cost.ts";
import { compactEnvironment } from "./compact-environment.ts";
import type { EnvironmentRow } from "./prepare-sqlite-registry-statements.ts";

export function fromSqliteEnvironmentRow(row: EnvironmentRow): Environment {
  return compactEnvironment({
    id: row.id,
    name: row.name,
    kind: row.kind,
    repository: row.repository,
    branch: row.branch,
    pullRequest: row.pull_request ?? undefined,
    owner: row.owner ?? undefined,
    status: row.status,
    url: row.url ?? undefined,
    commitSha: row.commit_sha ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at ?? undefined,
    lastError:
      row.last_error_code === null ? undefined : { code: row.last_error_code, message: row.last_error_message ?? "" },
    lastDeployMs: row.last_deploy_ms ?? undefined,
    outputs: row.outputs_json === null ? undefined : (JSON.parse(row.outputs_json) as Record<string, unknown>),
    cost: row.cost_json == null ? undefined : (JSON.parse(row.cost_json) as EnvironmentCost),
  });
}
