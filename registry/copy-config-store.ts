import type { ConfigEntry, ConfigOverride } from "../core/config-entry.ts";

/**
 * A copy's config as the registry keeps it (issue 19): the environment's own values (set from the
 * API, the CLI, the dashboard; secret ones included, so never in the Environment JSON) and the
 * effective config of its last deploy, secrets already masked, with the source of each key.
 */
export interface CopyConfigStore {
  /** Sets (or replaces) one of the environment's own values. An unknown environment throws NOT_FOUND. */
  putConfigOverride(environmentId: string, override: ConfigOverride, now: Date): Promise<void>;
  /** Removes one; nothing happens when it is not set. */
  deleteConfigOverride(environmentId: string, key: string): Promise<void>;
  /** By key; none for an unknown environment. */
  listConfigOverrides(environmentId: string): Promise<ConfigOverride[]>;
  /** The config its last deploy gave the copy (values of secrets already masked). Unknown environment: NOT_FOUND. */
  saveEffectiveConfig(environmentId: string, entries: readonly ConfigEntry[], now: Date): Promise<void>;
  readEffectiveConfig(environmentId: string): Promise<ConfigEntry[] | undefined>;
}
