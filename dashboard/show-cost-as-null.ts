import type { Environment } from "../core/environment.ts";

/**
 * Issue 21's contract: an Environment in the API has `cost`, null before its first measurement
 * (the API serializes with JSON.stringify, which would leave an absent field out). Applied to an
 * answer that is one environment or a list of them; anything else is left as it is.
 */
export function showCostAsNull(payload: unknown): unknown {
  if (!payload || typeof payload !== "object") return payload;
  if (isEnvironment(payload)) return "cost" in payload ? payload : { ...payload, cost: null };
  const list = (payload as { environments?: unknown }).environments;
  if (Array.isArray(list) && list.every(isEnvironment)) {
    return { ...payload, environments: list.map((e) => ("cost" in e ? e : { ...e, cost: null })) };
  }
  return payload;
}

function isEnvironment(value: unknown): value is Environment {
  const candidate = value as Partial<Environment> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.id === "string" &&
    typeof candidate.name === "string" &&
    typeof candidate.kind === "string" &&
    typeof candidate.status === "string" &&
    typeof candidate.repository === "string"
  );
}
