const SECRET_PARAM = /token|secret|key|sig|signature|password|passwd|auth|credential|session/i;
const MASK = "xxxxx";

/**
 * An output URL fit to show and link: http(s) only (never `javascript:`), with a password and the
 * values of secret-looking query parameters (token, key, signature, ...) masked. Outputs may carry
 * credentials, and the dashboard is read by more people than own the stack. Undefined when it is
 * not such a URL.
 */
export function safeLink(url: string | undefined): { href: string; text: string } | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  if (parsed.password) parsed.password = MASK;
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, MASK);
  }
  const href = parsed.toString();
  return { href, text: href };
}
