import type { Environment } from "../core/environment.ts";

/**
 * An API answer that is one Environment (the 202 of a change, which the actions read from the
 * registry itself), presented like the reads: routed `url`, `directUrl`. Anything else, and an
 * environment presented already (it has `directUrl`), is left as it is.
 */
export function presentEnvironmentPayload(
  payload: unknown,
  present: (environment: Environment) => Environment,
): unknown {
  if (!payload || typeof payload !== "object" || "directUrl" in payload) return payload;
  const candidate = payload as Partial<Environment>;
  const isEnvironment =
    typeof candidate.id === "string" &&
    typeof candidate.name === "string" &&
    typeof candidate.kind === "string" &&
    typeof candidate.status === "string" &&
    typeof candidate.repository === "string";
  return isEnvironment ? present(candidate as Environment) : payload;
}
