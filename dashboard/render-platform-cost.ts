import { formatUsd } from "../core/format-usd.ts";
import type { PlatformActivity } from "../cost/count-platform-activity.ts";
import type { PlatformCost } from "../cost/price-platform-activity.ts";
import { html, type SafeHtml } from "../web/html.ts";

export interface PlatformCostView {
  activity: PlatformActivity;
  cost: PlatformCost;
  region: string;
  pricesTakenAt: string;
}

/** `GET /cost`: what stackfork itself costs to run on AWS, from what it did over the last 30 days. */
export function renderPlatformCost(view: PlatformCostView): SafeHtml {
  const { activity, cost } = view;
  return html`<h1>The platform's own cost</h1>
<p>What stackfork itself would be billed on AWS (webhook, worker and reaper functions, its registry in DynamoDB)
for what it did from <time datetime="${activity.from}">${activity.from.slice(0, 10)}</time> to
<time datetime="${activity.to}">${activity.to.slice(0, 10)}</time>, counted from its history and priced with the
${view.region} prices of ${view.pricesTakenAt}. The environments' own costs are on <a href="/">the list</a>.</p>
<dl class="facts">
<dt>Last 30 days</dt><dd><strong>${formatUsd(cost.usageUsd)}</strong> for ${activity.deliveries} deliveries, ${activity.jobs} jobs and the reaper's schedule</dd>
<dt>Idle</dt><dd>${cost.idleMonthlyUsd === 0 ? "$0/month: idle costs nothing" : html`${formatUsd(cost.idleMonthlyUsd)}/month`} <span class="muted">(the registry's storage for ${activity.storedEnvironments} environments, about 20 KB each: assumed)</span></dd>
<dt>Active environments</dt><dd>${activity.environments} <span class="muted">(${activity.events} history events written)</span></dd>
</dl>
<div class="table-wrap"><table class="platform-cost">
<caption>Per kind of event, last 30 days</caption>
<thead><tr><th scope="col">Event</th><th scope="col" class="num">Count</th><th scope="col" class="num">Cost</th><th scope="col">Counted as</th></tr></thead>
<tbody>
${cost.lines.map((l) => html`<tr><th scope="row">${l.what}</th><td class="num">${l.count.toLocaleString("en-US")}</td><td class="num">${formatUsd(l.usd)}</td><td>${l.how}</td></tr>`)}
</tbody>
<tfoot><tr><th scope="row">In all</th><td></td><td class="num"><strong>${formatUsd(cost.usageUsd)}</strong></td><td></td></tr></tfoot>
</table></div>
<p class="muted">Counted, not priced (the price table has no prices for them): ${cost.unpriced.sqsRequests.toLocaleString("en-US")} SQS requests,
${cost.unpriced.s3KmsRequests.toLocaleString("en-US")} S3 and KMS requests. Also not here: the KMS key, the secrets, the alarm and the worker image's storage,
which bill per month whatever happens (see the README's "What it costs while nothing happens"). Requests per event are the ones measured
against the AWS emulator (BENCHMARKS.md); DynamoDB requests are priced as write units, the upper bound.</p>`;
}
