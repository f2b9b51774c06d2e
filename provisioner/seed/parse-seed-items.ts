import { StackforkError } from "../../core/errors.ts";

/**
 * A seed's items: a JSON array of objects, or NDJSON (one object a line, blank lines skipped).
 * Every problem names its line; anything but objects is refused (SEED_FAILED).
 */
export function parseSeedItems(text: string, file: string): Record<string, unknown>[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new StackforkError("SEED_FAILED", `${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new StackforkError("SEED_FAILED", `${file}: expected an array of objects`);
    return parsed.map((item, i) => requireObject(item, `${file} item ${i + 1}`));
  }
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (!line.trim()) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new StackforkError("SEED_FAILED", `${file} line ${i + 1} is not JSON`);
    }
    return [requireObject(parsed, `${file} line ${i + 1}`)];
  });
}

function requireObject(value: unknown, where: string): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new StackforkError("SEED_FAILED", `${where} is not an object`);
  return value as Record<string, unknown>;
}
