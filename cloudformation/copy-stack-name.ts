/**
 * The copy's CloudFormation stack name: the environment's name (lowercase `[a-z0-9-]`, at most 40
 * characters), which CloudFormation takes as it is unless it starts with a digit (a stack name starts
 * with a letter).
 */
export function copyStackNameOf(environment: string): string {
  return /^[a-z]/.test(environment) ? environment : `sf-${environment}`;
}
