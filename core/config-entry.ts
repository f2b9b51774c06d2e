/** Where a copy's config value came from, lowest precedence first. */
export const CONFIG_SOURCES = ["template", "platform", "repository", "environment"] as const;
export type ConfigSource = (typeof CONFIG_SOURCES)[number];

/** One key of a copy's effective config, as the API shows it: `value` is MASKED_SECRET when `secret`. */
export interface ConfigEntry {
  /** Qualified: `<namespace>:<name>`. */
  key: string;
  value: string;
  secret: boolean;
  source: ConfigSource;
}

/** A value set for one environment (API, CLI, dashboard): the top of the order. */
export interface ConfigOverride {
  key: string;
  value: string;
  secret: boolean;
}
