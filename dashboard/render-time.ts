import { html, type SafeHtml } from "../web/html.ts";
import { formatDuration } from "./format-duration.ts";

/** A moment as `3 h ago` / `in 2 d`, with the exact time for machines and on hover. */
export function renderTime(iso: string | undefined, now: Date, style: "ago" | "in" = "ago"): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const ms = Date.parse(iso) - now.getTime();
  const text =
    style === "in"
      ? ms >= 0
        ? `in ${formatDuration(ms)}`
        : `expired ${formatDuration(-ms)} ago`
      : ms <= 0
        ? `${formatDuration(-ms)} ago`
        : `in ${formatDuration(ms)}`;
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`;
}
