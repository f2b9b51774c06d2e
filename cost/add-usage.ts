import type { Usage } from "../core/environment-cost.ts";

/** `a + b`, field by field. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    lambdaRequests: a.lambdaRequests + b.lambdaRequests,
    lambdaGbSeconds: a.lambdaGbSeconds + b.lambdaGbSeconds,
    apiRequests: a.apiRequests + b.apiRequests,
    dynamoReadUnits: a.dynamoReadUnits + b.dynamoReadUnits,
    dynamoWriteUnits: a.dynamoWriteUnits + b.dynamoWriteUnits,
    logIngestedBytes: a.logIngestedBytes + b.logIngestedBytes,
  };
}
