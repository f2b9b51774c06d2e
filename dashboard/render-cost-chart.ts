import type { CostDetail } from "../core/environment-cost.ts";
import { formatUsd } from "../core/format-usd.ts";
import { html, type SafeHtml } from "../web/html.ts";

const WIDTH = 600;
const HEIGHT = 160;
/** Room for the axis labels under the bars and the top figure above them. */
const TOP = 18;
const BOTTOM = 22;

/**
 * The daily cost of the last 30 days as an inline SVG bar chart (no script: the page works without
 * JavaScript), titled and described for screen readers, with every day's figure also as text in a
 * table below it.
 */
export function renderCostChart(detail: Pick<CostDetail, "daily">, idPrefix = "cost-chart"): SafeHtml {
  const days = detail.daily;
  if (days.length === 0) return html`<p class="muted">No daily figures yet.</p>`;
  const max = Math.max(...days.map((d) => d.usd));
  const total = days.reduce((sum, d) => sum + d.usd, 0);
  const costliest = days.reduce((a, b) => (b.usd > a.usd ? b : a));
  const slot = WIDTH / days.length;
  const plot = HEIGHT - TOP - BOTTOM;
  const first = days[0]?.day ?? "";
  const last = days.at(-1)?.day ?? "";
  const description =
    max === 0
      ? `Nothing on any day from ${first} to ${last}: idle costs nothing.`
      : `${formatUsd(total)} over ${days.length} days from ${first} to ${last}; the costliest day ${costliest.day}, ${formatUsd(costliest.usd)}.`;
  return html`<figure class="cost-chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="${idPrefix}-title ${idPrefix}-desc" focusable="false">
<title id="${idPrefix}-title">Daily cost, last ${days.length} days</title>
<desc id="${idPrefix}-desc">${description}</desc>
<line class="axis" x1="0" y1="${HEIGHT - BOTTOM}" x2="${WIDTH}" y2="${HEIGHT - BOTTOM}"></line>
${days.map((d, i) => {
  // A day that cost anything gets at least a visible sliver; a day that cost nothing, none.
  const height = max === 0 || d.usd === 0 ? 0 : Math.max(2, (d.usd / max) * plot);
  return html`<rect class="bar" x="${(i * slot + slot * 0.15).toFixed(1)}" y="${(HEIGHT - BOTTOM - height).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${height.toFixed(1)}"><title>${d.day}: ${formatUsd(d.usd)}</title></rect>`;
})}
<text class="label" x="4" y="12">${max === 0 ? "$0 every day" : `max ${formatUsd(max)} a day`}</text>
<text class="label" x="4" y="${HEIGHT - 6}">${first}</text>
<text class="label" x="${WIDTH - 4}" y="${HEIGHT - 6}" text-anchor="end">${last}</text>
</svg>
<figcaption>${description}</figcaption>
</figure>
<details class="cost-days"><summary>Every day's figure</summary>
<table class="days"><thead><tr><th scope="col">Day (UTC)</th><th scope="col" class="num">Cost</th></tr></thead>
<tbody>${days.map((d) => html`<tr><td>${d.day}</td><td class="num">${formatUsd(d.usd)}</td></tr>`)}</tbody></table>
</details>`;
}
