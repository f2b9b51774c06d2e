import type { CostDetail, EnvironmentCost, Usage } from "../core/environment-cost.ts";
import { formatUsd } from "../core/format-usd.ts";
import { html, type SafeHtml } from "../web/html.ts";
import { renderCostChart } from "./render-cost-chart.ts";

/**
 * An environment's cost on its page: the figures, the daily chart, and what they were computed
 * from (usage, stored bytes, the prices' region and date), or "not measured yet".
 */
export function renderCostSection(cost: EnvironmentCost | null | undefined, detail: CostDetail | undefined): SafeHtml {
  return html`<section aria-labelledby="cost-heading">
<h2 id="cost-heading">Cost${cost?.estimated ? html` <span class="estimated">estimated</span>` : ""}</h2>
${
  !cost
    ? html`<p class="muted">Not measured yet: the maintenance run measures every environment on a schedule.</p>`
    : html`${cost.estimated && html`<p class="muted">This copy runs on this machine: the figures are what the same traffic would cost on AWS.</p>`}
<dl class="facts">
<dt>Idle</dt><dd>${renderIdle(cost.idleMonthlyUsd)}</dd>
<dt>Last 24 hours</dt><dd>${formatUsd(cost.last24hUsd)}</dd>
<dt>Last 30 days</dt><dd>${formatUsd(cost.last30dUsd)}</dd>
<dt>Since created</dt><dd>${formatUsd(cost.lifeUsd)}</dd>
<dt>Always on</dt><dd>${formatUsd(cost.alwaysOnMonthlyUsd)}/month <span class="muted">(the smallest instance that could serve it, for comparison)</span></dd>
${detail?.costExplorer && html`<dt>Cost Explorer</dt><dd>${formatUsd(detail.costExplorer.last30dUsd)} over 30 days, through ${detail.costExplorer.through} <span class="muted">(by cost-allocation tags; lags about a day)</span></dd>`}
<dt>Measured</dt><dd><time datetime="${cost.measuredAt}">${cost.measuredAt.slice(0, 16).replace("T", " ")} UTC</time>${detail && html` <span class="muted">priced with ${detail.pricedWith.region} prices of ${detail.pricedWith.takenAt}</span>`}</dd>
</dl>
${detail && renderCostChart(detail)}
${detail && renderUsage(detail)}`
}
</section>`;
}

function renderUsage(detail: CostDetail): SafeHtml {
  const row = (label: string, pick: (u: Usage) => number, digits = 0) =>
    html`<tr><th scope="row">${label}</th><td class="num">${format(pick(detail.last24h), digits)}</td><td class="num">${format(pick(detail.last30d), digits)}</td></tr>`;
  return html`<details class="cost-usage"><summary>What it used</summary>
<table class="usage"><thead><tr><th scope="col">Usage</th><th scope="col" class="num">Last 24 h</th><th scope="col" class="num">Last 30 days</th></tr></thead>
<tbody>
${row("API requests", (u) => u.apiRequests)}
${row("Function requests", (u) => u.lambdaRequests)}
${row("Function GB-seconds", (u) => u.lambdaGbSeconds, 3)}
${row("Table read units", (u) => u.dynamoReadUnits, 1)}
${row("Table write units", (u) => u.dynamoWriteUnits, 1)}
${row("Log bytes ingested", (u) => u.logIngestedBytes)}
</tbody></table>
<p>Stored now: table ${bytes(detail.stored.dynamoBytes)}, logs ${bytes(detail.stored.logBytes)}, state ${bytes(detail.stored.stateBytes)}.</p>
</details>`;
}

function format(value: number, digits: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 ** 2) return `${(value / 1024).toFixed(1)} KiB`;
  if (value < 1024 ** 3) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return `${(value / 1024 ** 3).toFixed(2)} GiB`;
}

/** Idle per month; exactly zero says so in words, since that is the point of a serverless copy. */
function renderIdle(idleMonthlyUsd: number): SafeHtml {
  return idleMonthlyUsd === 0 ? html`$0/month: idle costs nothing` : html`${formatUsd(idleMonthlyUsd)}/month`;
}
