import type { Environment } from "../core/environment.ts";
import type { MeasuredUsage } from "../core/environment-cost.ts";

/**
 * Where a copy's usage is read from (issue 21): CloudWatch and the services' describe calls for
 * copies on AWS, the copy's own counters for copies on this machine. Many environments per call:
 * CloudWatch's GetMetricData takes up to 500 metrics a request.
 */
export interface UsageSource {
  /** Usage per environment id; an environment this source cannot measure is left out. */
  measure(environments: readonly Environment[], now: Date): Promise<Map<string, MeasuredUsage>>;
}
