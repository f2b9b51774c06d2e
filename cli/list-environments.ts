import type { Environment } from "../core/environment.ts";
import { isStackforkError } from "../core/errors.ts";
import type { BehindEnvironment, ReconciliationStatus } from "../reconciliation/create-github-reconciler.ts";
import { COST_HEADER, formatCostCells } from "./format-cost-cells.ts";
import { requestApi } from "./request-api.ts";

/** `stackfork ls`: a table of environments, or the API's JSON with --json. */
export async function listEnvironments(
  serverUrl: string,
  options: { json: boolean; all: boolean; cost?: boolean; token?: string },
): Promise<number> {
  const environments: Environment[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: "500", includeDestroyed: String(options.all) });
    if (cursor) query.set("cursor", cursor);
    const page = await requestApi<{ environments: Environment[]; nextCursor?: string }>(
      serverUrl,
      `/api/environments?${query}`,
      { token: options.token },
    );
    environments.push(...page.environments);
    cursor = page.nextCursor;
  } while (cursor);

  const behind = await readBehind(serverUrl, options.token);
  if (options.json) {
    console.log(
      JSON.stringify({ environments, ...(behind.size > 0 ? { behind: [...behind.values()] } : {}) }, null, 2),
    );
    return 0;
  }
  if (environments.length === 0) {
    console.log("no environments");
    return 0;
  }
  const rows = environments.map((e) => [
    e.name,
    e.kind,
    e.repository,
    e.pullRequest ? `#${e.pullRequest}` : e.branch,
    e.status,
    formatCommit(e, behind.get(e.id)),
    e.status === "destroyed" ? "" : formatExpiry(e.expiresAt, Date.now()),
    // A CloudFormation copy names its stack (`--json` has its console link, outputs.consoleUrl).
    typeof e.outputs?.stackName === "string" && e.outputs.consoleUrl
      ? `${e.url ?? ""} (stack ${e.outputs.stackName})`.trimStart()
      : (e.url ?? ""),
  ]);
  if (options.cost) {
    // Issue 21: the measured figures, before the URL (the widest column).
    const withCost = rows.map((row, i) => [
      ...row.slice(0, -1),
      ...formatCostCells(environments[i]?.cost),
      ...row.slice(-1),
    ]);
    printTable(
      ["NAME", "KIND", "REPOSITORY", "BRANCH/PR", "STATUS", "COMMIT", "EXPIRES", ...COST_HEADER, "URL"],
      withCost,
    );
    return 0;
  }
  printTable(["NAME", "KIND", "REPOSITORY", "BRANCH/PR", "STATUS", "COMMIT", "EXPIRES", "URL"], rows);
  return 0;
}

/** The commit, and when the last reconciliation saw its branch ahead: `1a2b3c4 (behind 5d6e7f8)`. */
export function formatCommit(e: Environment, behind: BehindEnvironment | undefined): string {
  const commit = e.commitSha?.slice(0, 7) ?? "";
  return behind ? `${commit} (behind ${behind.headSha.slice(0, 7)})`.trimStart() : commit;
}

/** Environments behind their branch, from the server's last reconciliation; none offline (404). */
async function readBehind(serverUrl: string, token?: string): Promise<Map<string, BehindEnvironment>> {
  try {
    const status = await requestApi<ReconciliationStatus>(serverUrl, "/api/reconciliation", { token });
    return new Map(status.behind.map((b) => [b.environment, b]));
  } catch (err) {
    if (isStackforkError(err, "NOT_FOUND")) return new Map();
    throw err;
  }
}

/** When it will be destroyed, as a person reads it: `in 2d 3h`, `in 45m`, `due` (the next sweep), `never`. */
export function formatExpiry(expiresAt: string | undefined, now: number): string {
  if (!expiresAt) return "never";
  const minutes = Math.floor((Date.parse(expiresAt) - now) / 60_000);
  if (minutes < 1) return "due";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `in ${days}d ${hours}h`;
  return hours > 0 ? `in ${hours}h ${minutes % 60}m` : `in ${minutes}m`;
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    );
}
