import type { ConfigEntry } from "../core/config-entry.ts";
import { type Environment, MASKED_SECRET } from "../core/environment.ts";
import type { CostDetail } from "../core/environment-cost.ts";
import type { HistoryEvent } from "../core/history-event.ts";
import type { LogLine } from "../registry/registry.ts";
import { html, type SafeHtml } from "../web/html.ts";
import { formatDuration } from "./format-duration.ts";
import { githubUrl } from "./github-url.ts";
import { renderCopyConfig } from "./render-copy-config.ts";
import { renderCostSection } from "./render-cost-section.ts";
import { renderCommit, renderRef } from "./render-environment-list.ts";
import { renderStatus } from "./render-status.ts";
import { renderTime } from "./render-time.ts";
import { safeLink } from "./safe-link.ts";

export interface EnvironmentDetailView {
  environment: Environment;
  /** Oldest first. */
  events: readonly HistoryEvent[];
  /** The engine log of the running or last job (or of the job asked for). */
  log: { jobId?: string; lines: readonly LogLine[] };
  now: Date;
  loggedIn: boolean;
  /** Signed in, but without write access to this environment (issue 22): no buttons, a line that says why. */
  readOnly?: boolean;
  csrfToken?: string;
  notice?: string;
  problem?: string;
  /** A preview router runs: show the Share and Revoke links buttons. */
  canShare?: boolean;
  /** The copy's config with sources, secrets masked (render-copy-config.ts). @default none shown */
  config?: readonly ConfigEntry[];
  /** The last cost measurement's daily series and breakdown (the figures are on the environment). */
  costDetail?: CostDetail;
}

/** `GET /environments/:id`: facts, outputs, actions, the live engine log and the full history. */
export function renderEnvironmentDetail(view: EnvironmentDetailView): SafeHtml {
  const e = view.environment;
  const lastSeq = view.log.lines.at(-1)?.seq ?? 0;
  return html`
<div data-live-environment="${e.id}" data-status="${e.status}" data-after="${lastSeq}"${view.log.jobId ? html` data-job="${view.log.jobId}"` : ""}>
<h1>${e.name} ${renderStatus(e.status, "status-badge")}</h1>
<p id="live-note" class="muted" aria-live="polite"></p>
${view.notice && html`<p class="notice" role="status">${view.notice}</p>`}
${view.problem && html`<p class="problem" role="alert">${view.problem}</p>`}
<section aria-labelledby="facts-heading">
<h2 id="facts-heading">Facts</h2>
<dl class="facts">
<dt>Kind</dt><dd>${e.kind.replace("_", " ")}</dd>
<dt>Repository</dt><dd>${link(githubUrl(e.repository), e.repository)}</dd>
<dt>Branch / PR</dt><dd>${renderRef(e)}</dd>
${e.owner && html`<dt>Owner</dt><dd>${e.owner}</dd>`}
<dt>Commit</dt><dd>${renderCommit(e)}</dd>
<dt>Created</dt><dd>${renderTime(e.createdAt, view.now)}</dd>
<dt>Last change</dt><dd>${renderTime(e.updatedAt, view.now)}</dd>
<dt>Expires</dt><dd>${renderTime(e.expiresAt, view.now, "in")}</dd>
<dt>Last deploy took</dt><dd>${e.lastDeployMs === undefined ? "—" : formatDuration(e.lastDeployMs)}</dd>
${e.lastError && html`<dt>Last error</dt><dd><code>${e.lastError.code}</code> ${e.lastError.message}</dd>`}
</dl>
</section>
${renderOutputs(e)}
${renderCostSection(e.cost, view.costDetail)}
${view.config && renderCopyConfig({ ...view, loggedIn: view.loggedIn && !view.readOnly, config: view.config })}
${renderActions(view)}
${renderLog(view)}
${renderHistory(view)}
</div>`;
}

function renderOutputs(e: Environment): SafeHtml {
  // The url first (it is the preview), then every other stack output of the last successful deploy.
  const outputs: [string, unknown][] = [
    ["url", e.url],
    ...Object.entries(e.outputs ?? {}).filter(([key]) => key !== "url"),
  ];
  return html`<section aria-labelledby="outputs-heading">
<h2 id="outputs-heading">Outputs</h2>
<dl class="facts">
${outputs.map(([key, value]) => html`<dt>${key}</dt><dd>${renderOutputValue(key, value)}</dd>`)}
</dl>
<p class="muted">Secret outputs are never stored or shown; passwords, tokens and signatures in URLs are masked.</p>
</section>`;
}

function renderOutputValue(key: string, value: unknown): SafeHtml {
  if (value === undefined || value === null) {
    return key === "url" ? html`<span class="muted">none (not deployed)</span>` : html`<span class="muted">none</span>`;
  }
  if (value === MASKED_SECRET) return html`<span class="muted">secret (hidden)</span>`;
  const link = typeof value === "string" ? safeLink(value) : undefined;
  if (link) return html`<a href="${link.href}" rel="noreferrer">${link.text}</a>`;
  return html`<code>${typeof value === "string" ? value : JSON.stringify(value)}</code>`;
}

function renderActions(view: EnvironmentDetailView): SafeHtml {
  const e = view.environment;
  const base = `/environments/${encodeURIComponent(e.id)}`;
  if (!view.loggedIn) {
    return html`<section aria-labelledby="actions-heading"><h2 id="actions-heading">Actions</h2>
<p><a href="/login?next=${encodeURIComponent(base)}">Log in</a> to redeploy, destroy or extend this environment.</p></section>`;
  }
  if (view.readOnly) {
    return html`<section aria-labelledby="actions-heading"><h2 id="actions-heading">Actions</h2>
<p id="read-only">You may see this environment, not change it: redeploying, destroying or extending it needs write access to ${e.repository}.</p></section>`;
  }
  const csrf = html`<input type="hidden" name="_csrf" value="${view.csrfToken}">`;
  const live = e.status !== "destroyed" && e.status !== "destroying";
  return html`<section aria-labelledby="actions-heading">
<h2 id="actions-heading">Actions</h2>
<div class="actions">
${
  e.status === "awaiting_approval"
    ? html`<p>A fork's pull request deploys once someone with write access approves its commit on GitHub (<code>/stackfork deploy</code> or the approval label).</p>`
    : html`<form method="post" action="${base}/redeploy">${csrf}<button type="submit">${e.status === "destroyed" ? "Deploy again" : "Redeploy"}</button></form>`
}
${
  live &&
  html`<form method="post" action="${base}/extend">${csrf}
<div class="field"><label for="extend-hours">Extend expiry by (hours)</label>
<input id="extend-hours" type="number" name="hours" min="1" max="720" value="24" required></div>
<button type="submit" class="secondary">Extend</button></form>
<form method="post" action="${base}/destroy" data-confirm="Destroy ${e.name}? Its stack and data are deleted.">${csrf}
<label class="check"><input type="checkbox" name="confirm" value="yes" required> Yes, destroy ${e.name}</label>
<button type="submit" class="danger">Destroy</button></form>`
}
${live && view.canShare && renderShare(base, csrf)}
</div>
</section>`;
}

/** A share link opens the preview without the API token (preview-router/create-share-links.ts). */
function renderShare(base: string, csrf: SafeHtml): SafeHtml {
  return html`<form method="post" action="${base}/share">${csrf}
<div class="field"><label for="share-hours">Share the preview for (hours)</label>
<input id="share-hours" type="number" name="hours" min="1" max="720" value="24" required></div>
<button type="submit" class="secondary">Share</button></form>
<form method="post" action="${base}/share/revoke">${csrf}
<button type="submit" class="secondary">Revoke share links</button></form>`;
}

function renderLog(view: EnvironmentDetailView): SafeHtml {
  const { jobId, lines } = view.log;
  const title = jobId ? html`Engine log of job <code>${jobId}</code>` : html`Engine log`;
  const text = lines.length
    ? lines.map((line) => line.text).join("\n")
    : jobId
      ? "No output yet."
      : "No job has run yet.";
  return html`<section aria-labelledby="log-heading">
<h2 id="log-heading">${title}</h2>
<pre id="log" class="log" tabindex="0" aria-label="Engine log"${lines.length ? "" : html` data-empty="true"`}>${text}</pre>
<p class="muted">Without JavaScript, <a href="/environments/${encodeURIComponent(view.environment.id)}${jobId ? `?job=${encodeURIComponent(jobId)}` : ""}">reload</a> to see new lines.</p>
</section>`;
}

function renderHistory(view: EnvironmentDetailView): SafeHtml {
  const base = `/environments/${encodeURIComponent(view.environment.id)}`;
  const dash = html`<span class="muted">—</span>`;
  return html`<section aria-labelledby="history-heading">
<h2 id="history-heading">History</h2>
<div class="table-wrap">
<table class="cards">
<caption>Every change of this environment, newest first: what, why, who asked and how long it took</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Message</th><th scope="col">Actor</th>
<th scope="col">Via</th><th scope="col">Delivery</th><th scope="col">Job</th><th scope="col">Duration</th><th scope="col">Error</th></tr></thead>
<tbody>
${[...view.events].reverse().map(
  (event) => html`<tr>
<td data-label="Time">${renderTime(event.at, view.now)}</td>
<td data-label="Event"><code>${event.type}</code></td>
<td data-label="Message">${event.message}</td>
<td data-label="Actor">${event.actor ?? dash}</td>
<td data-label="Via">${event.via ?? dash}</td>
<td data-label="Delivery">${event.deliveryId ? html`<code>${event.deliveryId}</code>` : dash}</td>
<td data-label="Job" class="nowrap">${event.jobId ? html`<a href="${base}?job=${encodeURIComponent(event.jobId)}#log-heading"><code>${event.jobId}</code></a>` : dash}</td>
<td data-label="Duration">${event.durationMs === undefined ? dash : formatDuration(event.durationMs)}</td>
<td data-label="Error">${event.errorCode ? html`<code>${event.errorCode}</code>` : dash}</td>
</tr>`,
)}
</tbody>
</table>
</div>
</section>`;
}

function link(href: string | undefined, text: string): SafeHtml {
  return href ? html`<a href="${href}" rel="noreferrer">${text}</a>` : html`${text}`;
}
