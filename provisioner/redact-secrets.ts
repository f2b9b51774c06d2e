/** What a secret is replaced with in the engine log. */
export const REDACTED = "[secret]";

/** Shorter values are too likely to be ordinary words or numbers of the log. */
const MIN_SECRET_LENGTH = 6;

/**
 * The engine log reaches PR comments (public on a public repository) and the dashboard: every value
 * the platform knows to be secret (its own, the job's credentials, the stack's secret config) is
 * replaced before a line is kept, longest first so that a secret containing another goes whole.
 */
export function createSecretRedactor(secrets: Iterable<string | undefined>): (line: string) => string {
  const values = [...new Set([...secrets].filter((s): s is string => !!s && s.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  if (values.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  };
}
