/**
 * `<prefix>-<suffix>`. The prefix is at most 40 characters (aws-resources.ts) and the suffixes of
 * names limited to 64 (Lambda functions, IAM roles, schedules) at most 14, so they fit.
 */
export function platformPhysicalName(prefix: string, suffix: string): string {
  return `${prefix}-${suffix}`;
}
