/** Longer is no page of ours: a login link carries a page's path and filters. */
const MAX_LENGTH = 2000;
const BASE = "http://x";
/**
 * What a browser strips from or turns into a slash (tab, newline, other controls; `\`), raw or
 * percent-encoded, and an encoded `/`: any of them can turn a path into `//host`.
 * https://url.spec.whatwg.org/#concept-basic-url-parser
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const UNSAFE = /[\u0000-\u0020\u007f\\]|%(?:[01][0-9a-f]|7f|5c|2f|2e)/i;

/**
 * Where to go after logging in: only a path of this server (same origin), else `/`. A path is
 * refused, not repaired, if anything in it could be read as another host, by our URL parser or by
 * a browser's: `//host`, `/\host`, `/%09/host`, `/.//host`, a scheme.
 * @example safeNextPath("/environments/api-x?job=1") // "/environments/api-x?job=1"
 * @example safeNextPath("/%09/evil.example") // "/"
 */
export function safeNextPath(next: string | undefined): string {
  if (!next || next.length > MAX_LENGTH || !next.startsWith("/") || next.startsWith("//")) return "/";
  const path = next.split(/[?#]/, 1)[0] ?? "";
  if (UNSAFE.test(path)) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  const resolved = `${url.pathname}${url.search}${url.hash}`;
  // The parser's own rewriting (dot segments: `/.//host` resolves to `//host`) must not leave a
  // protocol-relative URL either.
  if (url.origin !== BASE || resolved.startsWith("//") || resolved !== next) return "/";
  return resolved;
}
