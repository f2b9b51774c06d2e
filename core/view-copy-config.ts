import type { ConfigEntry, ConfigOverride } from "./config-entry.ts";
import { MASKED_SECRET } from "./environment.ts";

/**
 * What people see of a copy's config: the effective config of its last deploy, with the
 * environment's own values set since on top (they take effect with the redeploy they started),
 * secrets masked, by key.
 */
export function viewCopyConfig(
  effective: readonly ConfigEntry[] | undefined,
  overrides: readonly ConfigOverride[],
): ConfigEntry[] {
  const byKey = new Map((effective ?? []).map((entry) => [entry.key, entry]));
  for (const { key, value, secret } of overrides) {
    const isSecret = secret || byKey.get(key)?.secret === true;
    byKey.set(key, { key, value: isSecret ? MASKED_SECRET : value, secret: isSecret, source: "environment" });
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
