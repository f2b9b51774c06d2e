import type { ReconciliationReport } from "../reconciliation/reconcile-with-github.ts";
import { printTable } from "./list-environments.ts";
import { requestApi } from "./request-api.ts";

/**
 * `stackfork reconcile`: asks the server to reconcile with GitHub now and prints its decisions
 * (with --dry-run, the ones it would take: nothing changes). Exit 1 when a repository could not be
 * reconciled (failed, or deferred by a rate limit).
 */
export async function reconcile(
  serverUrl: string,
  options: { token: string; dryRun: boolean; repository?: string; json: boolean },
): Promise<number> {
  const report = await requestApi<ReconciliationReport>(serverUrl, "/api/reconcile", {
    method: "POST",
    token: options.token,
    body: { dryRun: options.dryRun, ...(options.repository ? { repository: options.repository } : {}) },
  });
  const incomplete = report.repositories.some((r) => r.outcome !== "reconciled");
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return incomplete ? 1 : 0;
  }
  const changes = report.repositories.flatMap((r) => r.changes.map((c) => ({ repository: r.repository, ...c })));
  const verb = report.dryRun ? "would do" : "did";
  if (changes.length === 0) console.log(`in step with GitHub: nothing to do${report.dryRun ? " (dry run)" : ""}`);
  else {
    console.log(`reconciliation ${verb}${report.dryRun ? " (dry run: nothing changed)" : ""}:`);
    printTable(
      ["REPOSITORY", "ACTION", "ENVIRONMENT", "BRANCH/PR", "COMMIT", "REASON", ...(report.dryRun ? [] : ["OUTCOME"])],
      changes.map((c) => [
        c.repository,
        c.action,
        c.environment ?? "(new)",
        c.pullRequest ? `#${c.pullRequest}` : c.branch,
        c.commitSha?.slice(0, 7) ?? "",
        c.reason,
        ...(report.dryRun ? [] : [c.outcome ?? ""]),
      ]),
    );
  }
  for (const r of report.repositories.filter((r) => r.outcome !== "reconciled"))
    console.log(
      `${r.repository}: ${r.outcome}${r.error ? ` (${r.error.code}: ${r.error.message})` : ""}${r.resumeAt ? `, resumes after ${r.resumeAt}` : ""}`,
    );
  for (const d of report.redeliveries) console.log(`redelivery ${d.outcome}: ${d.event} ${d.guid} (${d.hook})`);
  console.log(
    `GitHub requests: ${report.requests.sent} (${report.requests.notModified} answered 304 Not Modified)${report.rateLimit.remaining === undefined ? "" : `, rate limit: ${report.rateLimit.remaining} left`}`,
  );
  return incomplete ? 1 : 0;
}
