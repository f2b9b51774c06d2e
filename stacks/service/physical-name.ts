import { RESOURCE_SUFFIX_MAX_LENGTH } from "./name-limits.ts";

/**
 * `<environment>-<suffix>`, checked against the limit of the resource it names. The environment
 * name is at most 40 characters and suffixes at most 22 (name-limits.ts), so every name
 * fits 63; the check catches a suffix or a limit someone changes later, at preview time.
 */
export function physicalName(environment: string, suffix: string, maxLength: number): string {
  if (suffix.length > RESOURCE_SUFFIX_MAX_LENGTH) {
    throw new Error(`Name suffix "${suffix}" is longer than ${RESOURCE_SUFFIX_MAX_LENGTH} characters.`);
  }
  const name = `${environment}-${suffix}`;
  if (name.length > maxLength) throw new Error(`Name "${name}" is longer than its limit of ${maxLength} characters.`);
  return name;
}
