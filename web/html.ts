// HTML escaping (the `html` tag): the dashboard's pages and the preview router's state pages both write markup.
/** Markup that is already safe: escaped by `html`, or written by us. Never build one from input. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What `${...}` accepts in an `html` template: text is escaped; SafeHtml and lists of it are kept. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for an element or a quoted attribute (always quote attributes in templates). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * The dashboard's only templating: a tagged template that escapes every interpolated value unless
 * it is SafeHtml, so a branch named `"><script>` is printed, never run. `null`, `undefined` and
 * `false` print nothing, which keeps conditionals short: `${cond && html`...`}`.
 *
 * @example html`<td>${environment.branch}</td>`
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}
