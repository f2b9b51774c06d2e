import type { EnvironmentStatus } from "../core/environment.ts";
import { html, type SafeHtml } from "../web/html.ts";

/** A status as a badge: a colour, a symbol and its name, so it reads without colour too. */
export function renderStatus(status: EnvironmentStatus, id?: string): SafeHtml {
  return html`<span class="status status-${status}"${id ? html` id="${id}"` : ""}>${status.replace("_", " ")}</span>`;
}
