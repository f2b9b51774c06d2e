export interface RegistryLimitOptions {
  /** Engine log lines kept per job; later lines are dropped and one marker line says so. @default 2000 */
  maxLogLinesPerJob?: number;
  /** Hours a delivery id (and its signature) is remembered (GitHub redelivers for up to 3 days). @default 72 */
  deliveryRetainHours?: number;
}

export interface RegistryLimits {
  maxLogLinesPerJob: number;
  deliveryRetainHours: number;
  /** What is wrong with the options, all of it; empty when they are valid. */
  problems: string[];
}

/** The limits every adapter keeps, defaults filled in, and what is wrong with them. */
export function resolveRegistryLimits(options: RegistryLimitOptions): RegistryLimits {
  const maxLogLinesPerJob = options.maxLogLinesPerJob ?? 2000;
  const deliveryRetainHours = options.deliveryRetainHours ?? 72;
  const problems: string[] = [];
  if (!Number.isInteger(maxLogLinesPerJob) || maxLogLinesPerJob < 1) {
    problems.push("maxLogLinesPerJob must be a positive integer");
  }
  if (!(deliveryRetainHours > 0)) problems.push("deliveryRetainHours must be positive");
  return { maxLogLinesPerJob, deliveryRetainHours, problems };
}
