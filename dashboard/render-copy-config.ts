import type { ConfigEntry } from "../core/config-entry.ts";
import type { Environment } from "../core/environment.ts";
import type { HistoryEvent } from "../core/history-event.ts";
import { html, type SafeHtml } from "../web/html.ts";

export interface CopyConfigView {
  environment: Environment;
  /** The copy's config, secrets masked, with sources (core/view-copy-config.ts). */
  config: readonly ConfigEntry[];
  events: readonly HistoryEvent[];
  loggedIn: boolean;
  csrfToken?: string;
}

const SOURCES: Record<ConfigEntry["source"], string> = {
  template: "template",
  platform: "platform override",
  repository: "branch's .stackfork/config.json",
  environment: "this environment",
};

/**
 * The environment page's Config section (issue 19): each key, its value (secrets masked) and where
 * it came from; logged in, a form to set one of the environment's own values (it redeploys) and,
 * for a repository with a seed step, a Reseed button.
 */
export function renderCopyConfig(view: CopyConfigView): SafeHtml {
  const base = `/environments/${encodeURIComponent(view.environment.id)}`;
  const live = view.environment.status !== "destroyed" && view.environment.status !== "destroying";
  const seeded = view.events.some((e) => e.type === "seed_started" || e.type === "seed_requested");
  const csrf = html`<input type="hidden" name="_csrf" value="${view.csrfToken}">`;
  return html`<section aria-labelledby="config-heading">
<h2 id="config-heading">Config</h2>
${
  view.config.length === 0
    ? html`<p class="muted">No config from a template or overrides.</p>`
    : html`<div class="table-wrap">
<table class="cards" id="copy-config">
<caption>The copy's config: the template, then the platform's overrides, the branch's file, this environment's values</caption>
<thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col">Source</th></tr></thead>
<tbody>
${view.config.map(
  (entry) => html`<tr data-key="${entry.key}">
<td data-label="Key"><code>${entry.key}</code></td>
<td data-label="Value">${entry.secret ? html`<span class="muted">${entry.value}</span>` : html`<code>${entry.value}</code>`}</td>
<td data-label="Source">${SOURCES[entry.source]}</td>
</tr>`,
)}
</tbody>
</table>
</div>`
}
${
  view.loggedIn &&
  live &&
  html`<div class="actions">
<form method="post" action="${base}/config">${csrf}
<div class="field"><label for="config-key">Key</label><input id="config-key" name="key" required pattern="[\\w.\\-]+(:[\\w.\\-]+)?" maxlength="200"></div>
<div class="field"><label for="config-value">Value</label><input id="config-value" name="value" maxlength="65536"></div>
<label class="check"><input type="checkbox" name="secret" value="yes"> Secret</label>
<button type="submit" class="secondary">Set and redeploy</button></form>
${seeded && html`<form method="post" action="${base}/reseed">${csrf}<button type="submit" class="secondary">Reseed</button></form>`}
</div>`
}
</section>`;
}
