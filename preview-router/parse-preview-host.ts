/** One DNS label, as environment names are (core/environment-name.ts): lowercase `[a-z0-9-]`, at most 63. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The environment a Host header names under the preview domain: `<name>.<previewDomain>[:port]`
 * gives `name`; anything else (the dashboard's own names, a deeper subdomain, another domain)
 * gives undefined, so it goes on to the dashboard and its Host check unchanged.
 * @example parsePreviewHost("feature-x.localhost:8080", "localhost") // "feature-x"
 */
export function parsePreviewHost(host: string | undefined, previewDomain: string): string | undefined {
  if (!host) return undefined;
  const name = host
    .toLowerCase()
    .replace(/:\d{1,5}$/, "")
    .replace(/\.$/, "");
  const suffix = `.${previewDomain.toLowerCase()}`;
  if (!name.endsWith(suffix)) return undefined;
  const label = name.slice(0, -suffix.length);
  return LABEL.test(label) ? label : undefined;
}
