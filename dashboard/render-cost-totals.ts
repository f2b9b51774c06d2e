import { formatUsd } from "../core/format-usd.ts";
import type { CostGroup } from "../cost/total-environment-costs.ts";
import { html, type SafeHtml } from "../web/html.ts";

export interface CostTotalsView {
  byRepository: readonly CostGroup[];
  byOwner: readonly CostGroup[];
  /** When the totals were summed (they are kept a minute: costs change once per measurement). */
  summedAt: string;
}

/** Rows per table: the costliest; the whole list is the API's (`GET /api/cost?by=`). */
const ROWS = 10;

/** The live environments' costs summed per repository and per owner: two small tables, or nothing before any measurement. */
export function renderCostTotals(view: CostTotalsView): SafeHtml {
  // Nothing measured yet (a new server, or measuring off): no table of zeros.
  if (!view.byRepository.some((t) => t.measured > 0)) return html``;
  return html`<section aria-labelledby="cost-totals-heading" class="cost-totals">
<h2 id="cost-totals-heading">Cost of live environments</h2>
<p class="muted">Summed ${view.summedAt.slice(0, 16).replace("T", " ")} UTC over every environment not destroyed.
Always on: the same copies each on the smallest instance that could serve it. <a href="/cost">The platform's own cost</a></p>
<div class="totals-grid">
${renderTable("Per repository", "Repository", "repository", view.byRepository, (key) => key)}
${renderTable("Per owner", "Owner", "owner", view.byOwner, (key) => key || "no owner (branches, pull requests)")}
</div>
</section>`;
}

function renderTable(
  caption: string,
  keyLabel: string,
  by: "repository" | "owner",
  all: readonly CostGroup[],
  label: (key: string) => string,
): SafeHtml {
  const rows = all.slice(0, ROWS);
  return html`<div class="table-wrap"><table class="totals">
<caption>${caption}${all.length > ROWS ? html`: the ${ROWS} costliest of ${all.length} (<a href="/api/cost?by=${by}">all of them</a>)` : ""}</caption>
<thead><tr><th scope="col">${keyLabel}</th><th scope="col" class="num">Environments</th><th scope="col" class="num">Last 30 days</th>
<th scope="col" class="num">Idle / month</th><th scope="col" class="num">Always on / month</th></tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr><th scope="row">${label(r.key)}</th>
<td class="num">${r.count}${r.measured < r.count ? html` <span class="muted">(${r.count - r.measured} not measured yet)</span>` : ""}</td>
<td class="num">${formatUsd(r.last30dUsd)}${r.estimated ? html` <span class="estimated">estimated</span>` : ""}</td>
<td class="num">${formatUsd(r.idleMonthlyUsd)}</td><td class="num">${formatUsd(r.alwaysOnMonthlyUsd)}</td></tr>`,
)}
</tbody></table></div>`;
}
