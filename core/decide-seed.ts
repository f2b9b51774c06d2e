import type { HistoryEvent } from "./history-event.ts";

const SEED_EVENTS = new Set<HistoryEvent["type"]>(["seed_requested", "seed_succeeded", "seed_failed"]);

/**
 * Whether a deploy that just succeeded runs the repository's seed step: once after the copy's first
 * successful deploy (no seed yet in its history), and again after a reseed was asked for (the
 * latest seed event is `seed_requested`). A seed that failed is not run again by later deploys:
 * `reseed` asks for it.
 */
export function isSeedDue(events: readonly Pick<HistoryEvent, "type">[]): boolean {
  const latest = events.findLast((event) => SEED_EVENTS.has(event.type));
  return latest === undefined || latest.type === "seed_requested";
}

/**
 * The seed command's variables for the copy's outputs: each output's name in upper snake case
 * (`url` -> `STACKFORK_OUTPUT_URL`, `tableName` -> `STACKFORK_OUTPUT_TABLE_NAME`), strings as they
 * are, anything else as JSON; a secret output (masked) is left out. Plus `STACKFORK_ENVIRONMENT`.
 */
export function seedVariablesOf(outputs: Record<string, unknown>, environmentName: string): Record<string, string> {
  const variables: Record<string, string> = { STACKFORK_ENVIRONMENT: environmentName };
  for (const [name, value] of Object.entries(outputs)) {
    if (value === "[secret]" || value === undefined) continue;
    const key = name
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/[^A-Za-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .toUpperCase();
    if (key) variables[`STACKFORK_OUTPUT_${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return variables;
}
