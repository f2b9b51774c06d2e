import type { Usage } from "../core/environment-cost.ts";

/** Usage of nothing: the start of every sum. */
export function noUsage(): Usage {
  return {
    lambdaRequests: 0,
    lambdaGbSeconds: 0,
    apiRequests: 0,
    dynamoReadUnits: 0,
    dynamoWriteUnits: 0,
    logIngestedBytes: 0,
  };
}
