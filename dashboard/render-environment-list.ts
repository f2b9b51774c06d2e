import type { Environment, EnvironmentKind, EnvironmentStatus } from "../core/environment.ts";
import { isUploadId } from "../core/upload-id.ts";
import type { RepositoryReconciliationSummary } from "../reconciliation/create-github-reconciler.ts";
import { html, type SafeHtml } from "../web/html.ts";
import { environmentKinds, environmentStatuses } from "./api-schemas.ts";
import type { CostSort } from "./cost-sort.ts";
import { formatDuration } from "./format-duration.ts";
import { githubUrl } from "./github-url.ts";
import { renderCostCell } from "./render-cost-cell.ts";
import { type CostTotalsView, renderCostTotals } from "./render-cost-totals.ts";
import { renderStatus } from "./render-status.ts";
import { renderTime } from "./render-time.ts";
import { safeLink } from "./safe-link.ts";

export interface ListFilters {
  status?: EnvironmentStatus;
  kind?: EnvironmentKind;
  repository?: string;
  owner?: string;
  q?: string;
}

export interface EnvironmentListView {
  environments: readonly Environment[];
  counts: Partial<Record<EnvironmentStatus, number>>;
  filters: ListFilters;
  /** For the repository filter. */
  repositories: readonly string[];
  nextCursor?: string;
  /** A cursor was given: offer the way back to the first page. */
  paged: boolean;
  notice?: string;
  /** Each repository's last reconciliation with GitHub; absent offline. */
  reconciliations?: readonly RepositoryReconciliationSummary[];
  /** The list in a cost order (`?sort=`) instead of newest first. */
  sort?: CostSort;
  /** Cost per repository and per owner, under the list. */
  costTotals?: CostTotalsView;
  now: Date;
}

/** `GET /`: every environment, filterable, newest first, one page at a time. */
export function renderEnvironmentList(view: EnvironmentListView): SafeHtml {
  const { filters } = view;
  const total = Object.values(view.counts).reduce((a, b) => a + (b ?? 0), 0);
  const query = (extra: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...filters, sort: view.sort, ...extra }))
      if (value) params.set(key, value);
    const text = params.toString();
    return text ? `/?${text}` : "/";
  };
  const repositories = [...new Set([...view.repositories, ...(filters.repository ? [filters.repository] : [])])];
  return html`
<h1>Environments</h1>
${view.notice && html`<p class="notice" role="status">${view.notice}</p>`}
<section aria-labelledby="counts-heading">
<h2 id="counts-heading" class="muted">By status (${total} in all)</h2>
<ul class="counts">
${environmentStatuses.map((status) => {
  const count = view.counts[status as EnvironmentStatus] ?? 0;
  return html`<li><a href="${query({ status, cursor: undefined })}" aria-label="${count} ${status.replace("_", " ")}">${renderStatus(status as EnvironmentStatus)} <span>${count}</span></a></li>`;
})}
</ul>
</section>
${view.reconciliations && view.reconciliations.length > 0 && renderReconciliations(view.reconciliations, view.now)}
<form class="filters" method="get" action="/" role="search" aria-label="Filter environments">
<div class="field"><label for="filter-status">Status</label>
<select id="filter-status" name="status">
<option value="">live (not destroyed)</option>
${environmentStatuses.map((s) => html`<option value="${s}"${filters.status === s ? html` selected` : ""}>${s.replace("_", " ")}</option>`)}
</select></div>
<div class="field"><label for="filter-kind">Kind</label>
<select id="filter-kind" name="kind">
<option value="">any</option>
${environmentKinds.map((k) => html`<option value="${k}"${filters.kind === k ? html` selected` : ""}>${k.replace("_", " ")}</option>`)}
</select></div>
<div class="field"><label for="filter-repository">Repository</label>
<select id="filter-repository" name="repository">
<option value="">any</option>
${repositories.map((r) => html`<option value="${r}"${filters.repository === r ? html` selected` : ""}>${r}</option>`)}
</select></div>
<div class="field"><label for="filter-owner">Owner</label>
<input id="filter-owner" name="owner" value="${filters.owner ?? ""}" autocomplete="off" size="12"></div>
<div class="field"><label for="filter-q">Search</label>
<input id="filter-q" type="search" name="q" value="${filters.q ?? ""}" placeholder="name, branch, repository" size="22"></div>
${view.sort && html`<input type="hidden" name="sort" value="${view.sort}">`}
<button type="submit">Filter</button>
${Object.values(filters).some(Boolean) && html`<a href="/">Clear filters</a>`}
</form>
${
  view.environments.length === 0
    ? html`<p>No environments${Object.values(filters).some(Boolean) ? " match these filters" : " yet: push a branch, or ask for a sandbox"}.</p>`
    : renderTable(view, query)
}
<nav class="pager" aria-label="Pages">
${view.paged && html`<a href="${query({ cursor: undefined })}">First page</a>`}
${view.nextCursor && html`<a href="${query({ cursor: view.nextCursor })}" rel="next">Next page</a>`}
</nav>
${view.costTotals && renderCostTotals(view.costTotals)}
`;
}

/** When each repository was last reconciled with GitHub, and what the last run out of step changed. */
function renderReconciliations(records: readonly RepositoryReconciliationSummary[], now: Date): SafeHtml {
  return html`<section aria-labelledby="reconciled-heading">
<h2 id="reconciled-heading" class="muted">Reconciled with GitHub</h2>
<ul class="reconciliations">
${records.map(
  (r) =>
    html`<li><strong>${r.repository}</strong>: ${
      r.lastSuccessAt
        ? html`reconciled ${renderTime(r.lastSuccessAt, now)}`
        : html`<span class="muted">never reconciled</span>`
    }${r.lastError && r.lastAttemptAt !== r.lastSuccessAt ? html`; last attempt ${renderTime(r.lastAttemptAt, now)} <code title="${r.lastError.message}">${r.lastError.code}</code>` : ""}${
      r.lastChangedAt
        ? html`; last change ${renderTime(r.lastChangedAt, now)}: ${r.lastChanges.map(
            (c, i) =>
              html`${i > 0 ? ", " : ""}${c.action} ${c.environment ? html`<a href="/environments/${encodeURIComponent(c.environment)}">${c.environment}</a>` : c.branch} <span class="muted">(${c.reason.replace(/^reconciled: /, "")})</span>`,
          )}`
        : html`; nothing out of step so far`
    }</li>`,
)}
</ul>
</section>`;
}

function renderTable(
  view: EnvironmentListView,
  query: (extra: Record<string, string | undefined>) => string,
): SafeHtml {
  // Sorting is a link (server-side): the page works without JavaScript.
  const sortLink = (sort: CostSort | undefined, label: string) =>
    view.sort === sort
      ? html`<strong>${label}</strong>`
      : html`<a href="${query({ sort, cursor: undefined })}">${label}</a>`;
  return html`<div class="table-wrap">
<table class="cards">
<caption>${view.environments.length} environment${view.environments.length === 1 ? "" : "s"} on this page, ${
    view.sort === "cost"
      ? "costliest over 30 days first"
      : view.sort === "idle"
        ? "costliest idle first"
        : "most recently changed first"
  } <span class="sorts">(order: ${sortLink(undefined, "newest")} · ${sortLink("cost", "cost, 30 days")} · ${sortLink("idle", "idle cost")})</span></caption>
<thead><tr>
<th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Repository</th><th scope="col">Branch / PR</th>
<th scope="col">Owner</th><th scope="col">Status</th><th scope="col">Preview</th><th scope="col">Commit</th>
<th scope="col">Age</th><th scope="col">Last deploy</th><th scope="col">Expires</th>
<th scope="col"${view.sort ? html` aria-sort="descending"` : ""}>${sortLink("cost", "Cost, 30 days")}</th>
</tr></thead>
<tbody>
${view.environments.map((e) => renderRow(e, view.now))}
</tbody>
</table>
</div>`;
}

function renderRow(e: Environment, now: Date): SafeHtml {
  const preview = safeLink(e.url);
  return html`<tr>
<td data-label="Name" class="long"><a href="/environments/${encodeURIComponent(e.id)}">${e.name}</a></td>
<td data-label="Kind">${e.kind.replace("_", " ")}</td>
<td data-label="Repository">${renderLink(githubUrl(e.repository), e.repository)}</td>
<td data-label="Branch / PR" class="long">${renderRef(e)}</td>
<td data-label="Owner">${e.owner ?? html`<span class="muted">—</span>`}</td>
<td data-label="Status">${renderStatus(e.status)}${e.lastError && html` <code title="${e.lastError.message}">${e.lastError.code}</code>`}</td>
<td data-label="Preview" class="long">${preview ? html`<a href="${preview.href}" rel="noreferrer">${shortUrl(preview.href)}</a>` : html`<span class="muted">—</span>`}</td>
<td data-label="Commit">${renderCommit(e)}</td>
<td data-label="Age">${renderTime(e.createdAt, now)}</td>
<td data-label="Last deploy">${e.lastDeployMs === undefined ? html`<span class="muted">—</span>` : formatDuration(e.lastDeployMs)}</td>
<td data-label="Expires">${renderTime(e.expiresAt, now, "in")}</td>
<td data-label="Cost, 30 days">${renderCostCell(e.cost)}</td>
</tr>`;
}

/** The branch (or ref, or uploaded tree) and pull request, each linked to GitHub when GitHub has it. */
export function renderRef(e: Environment): SafeHtml {
  const branch = renderLink(githubUrl(e.repository, { branch: e.branch }), e.branch, true);
  if (e.pullRequest === undefined) return branch;
  return html`${renderLink(githubUrl(e.repository, { pullRequest: e.pullRequest }), `#${e.pullRequest}`)} <span class="muted">(${branch})</span>`;
}

export function renderCommit(e: Environment): SafeHtml {
  if (!e.commitSha) return html`<span class="muted">—</span>`;
  const short = isUploadId(e.commitSha) ? e.commitSha : e.commitSha.slice(0, 7);
  return renderLink(githubUrl(e.repository, { commit: e.commitSha }), short, true);
}

/** The list shows a preview URL without its scheme: the link and the detail page keep it whole. */
function shortUrl(href: string): string {
  return href.replace(/^https?:\/\//, "").replace(/\/$/, "");
}

function renderLink(href: string | undefined, text: string, code = false): SafeHtml {
  const label = code ? html`<code>${text}</code>` : html`${text}`;
  return href ? html`<a href="${href}" rel="noreferrer">${label}</a>` : label;
}
