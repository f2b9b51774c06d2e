import type { EnvironmentCost } from "../core/environment-cost.ts";
import { formatUsd } from "../core/format-usd.ts";
import { html, type SafeHtml } from "../web/html.ts";

/**
 * An environment's cost in the list: the last 30 days, with its idle cost per month beside it; the
 * other figures in the title (and so read out by `abbr`); "estimated" for a copy on this machine
 * (what the same traffic would cost on AWS); "not measured yet" before the first measurement.
 */
export function renderCostCell(cost: EnvironmentCost | null | undefined): SafeHtml {
  if (!cost) return html`<span class="muted">not measured yet</span>`;
  const figures = [
    `last 30 days ${formatUsd(cost.last30dUsd)}`,
    `last 24 h ${formatUsd(cost.last24hUsd)}`,
    `since created ${formatUsd(cost.lifeUsd)}`,
    `idle ${formatUsd(cost.idleMonthlyUsd)} a month${cost.idleMonthlyUsd === 0 ? " (nothing stored: idle costs nothing)" : ""}`,
    `always on ${formatUsd(cost.alwaysOnMonthlyUsd)} a month`,
    `measured ${cost.measuredAt}`,
    ...(cost.estimated ? ["estimated: what the same traffic would cost on AWS"] : []),
  ].join("; ");
  // Short lines that may wrap: the list has eleven other columns to share the width with.
  const idle =
    cost.idleMonthlyUsd === 0
      ? html`idle costs nothing`
      : html`idle <span class="figure">${formatUsd(cost.idleMonthlyUsd)}</span><wbr>/mo`;
  return html`<abbr class="cost" title="${figures}">${formatUsd(cost.last30dUsd)}</abbr><br><span class="muted idle">${idle}</span>${
    cost.estimated ? html`<br><span class="estimated">estimated</span>` : ""
  }`;
}
