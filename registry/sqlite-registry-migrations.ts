/**
 * The registry's schema, one step per `user_version`. A schema change is one more entry; released
 * entries are never edited (files in the field already ran them).
 */
export const sqliteRegistryMigrations: readonly string[] = [
  `
  CREATE TABLE environments (
    id TEXT PRIMARY KEY,                  -- the environment name
    name TEXT NOT NULL UNIQUE,
    identity_key TEXT NOT NULL UNIQUE,    -- formatIdentityKey()
    kind TEXT NOT NULL,
    repository TEXT NOT NULL,
    repository_key TEXT NOT NULL,         -- lowercase: GitHub repository names are case-insensitive
    branch TEXT NOT NULL,
    pull_request INTEGER,
    owner TEXT,
    status TEXT NOT NULL,
    url TEXT,
    commit_sha TEXT,
    created_at TEXT NOT NULL,             -- ISO 8601, fixed width: sorts as text
    updated_at TEXT NOT NULL,
    expires_at TEXT,
    last_error_code TEXT,
    last_error_message TEXT,
    last_deploy_ms INTEGER,
    search_text TEXT NOT NULL             -- lowercase name, branch and repository, one per line
  );
  -- The dashboard's pages: newest first, destroyed hidden by default (a partial index skips them).
  CREATE INDEX environments_live_by_update ON environments (updated_at DESC, id DESC) WHERE status <> 'destroyed';
  CREATE INDEX environments_by_update ON environments (updated_at DESC, id DESC);
  CREATE INDEX environments_by_status ON environments (status, updated_at DESC, id DESC);
  CREATE INDEX environments_by_repository ON environments (repository_key, updated_at DESC, id DESC);

  CREATE TABLE history_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    environment_id TEXT NOT NULL,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    message TEXT NOT NULL,
    actor TEXT,
    delivery_id TEXT,
    job_id TEXT,
    commit_sha TEXT,
    duration_ms INTEGER,
    error_code TEXT
  );
  CREATE INDEX history_events_by_environment ON history_events (environment_id, id);

  CREATE TABLE log_lines (
    environment_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    job_id TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (environment_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX log_lines_by_job ON log_lines (environment_id, job_id, seq);

  -- One row per job that wrote a log: counting its lines on every append would grow with the log.
  CREATE TABLE log_jobs (
    environment_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    truncated INTEGER NOT NULL,
    PRIMARY KEY (environment_id, job_id)
  ) WITHOUT ROWID;

  CREATE TABLE seen_deliveries (
    delivery_id TEXT PRIMARY KEY,
    seen_at INTEGER NOT NULL              -- epoch ms
  ) WITHOUT ROWID;
  CREATE INDEX seen_deliveries_by_time ON seen_deliveries (seen_at);
  `,
  // 2: the stack outputs of the last successful deploy (JSON; secret ones already masked).
  "ALTER TABLE environments ADD COLUMN outputs_json TEXT;",
  // 3: whether a delivery left any trace in history (a replay of one that did not is taken again).
  "CREATE INDEX history_events_by_delivery ON history_events (delivery_id) WHERE delivery_id IS NOT NULL;",
  // 4: the signatures of deliveries, bound to the delivery id that first brought each: the same
  // signature under another id is a captured delivery sent again.
  `
  CREATE TABLE seen_signatures (
    signature_digest TEXT PRIMARY KEY,    -- sha256 of X-Hub-Signature-256, hex
    delivery_id TEXT NOT NULL,
    seen_at INTEGER NOT NULL              -- epoch ms
  ) WITHOUT ROWID;
  CREATE INDEX seen_signatures_by_time ON seen_signatures (seen_at);
  `,
  // 5: dashboard sessions ended by logout, until they would have expired.
  `
  CREATE TABLE revoked_sessions (
    session_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL           -- epoch ms
  ) WITHOUT ROWID;
  CREATE INDEX revoked_sessions_by_expiry ON revoked_sessions (expires_at);
  `,
  // 6: a copy's config (issue 19): the environment's own values, and what its last deploy set.
  `
  CREATE TABLE config_overrides (
    environment_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    secret INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (environment_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE effective_configs (
    environment_id TEXT PRIMARY KEY,
    entries_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 7: people signed in with GitHub and named tokens (issue 22); ids and digests only, never secrets.
  `
  CREATE TABLE person_sessions (
    id TEXT PRIMARY KEY,                  -- sha256 of the secret the person holds
    login TEXT NOT NULL,
    via TEXT NOT NULL,                    -- page | cli
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL        -- epoch ms: what reads compare
  ) WITHOUT ROWID;
  CREATE INDEX person_sessions_by_expiry ON person_sessions (expires_at_ms);
  CREATE TABLE named_tokens (
    name TEXT PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,          -- sha256 of the token
    scopes_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 8: what each environment costs (issue 21): the figures on the environment's row, so every listing
  // has them without a join; the detail (daily series, breakdown) apart, read for one page only.
  `
  ALTER TABLE environments ADD COLUMN cost_json TEXT;
  CREATE TABLE cost_details (
    environment_id TEXT PRIMARY KEY,
    detail_json TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 9: how a change was asked for (issue 22): page, api, cli, github.
  "ALTER TABLE history_events ADD COLUMN via TEXT;",
];
