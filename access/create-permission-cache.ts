export interface PermissionCacheOptions {
  /** How long an answer from GitHub is believed. @default 60_000 */
  ttlMs?: number;
  /** Answers kept at most; the oldest go first. @default 10_000 */
  maxEntries?: number;
  now: () => Date;
}

/**
 * GitHub's answers about people (a permission, a team membership), kept briefly: a page of
 * environments asks about the same few repositories every time, and GitHub's rate limit is shared
 * with the webhooks' work. A change on GitHub is seen after `ttlMs` at most. Concurrent misses of
 * one key share one request; a failed request is not kept.
 */
export function createPermissionCache<T>({ ttlMs = 60_000, maxEntries = 10_000, now }: PermissionCacheOptions) {
  // A Map iterates in insertion order: re-inserting on write makes the first key the oldest.
  const entries = new Map<string, { value: Promise<T>; expiresAt: number }>();
  return {
    get(key: string, read: () => Promise<T>): Promise<T> {
      const at = now().getTime();
      const found = entries.get(key);
      if (found && found.expiresAt > at) return found.value;
      entries.delete(key);
      const value = read();
      entries.set(key, { value, expiresAt: at + ttlMs });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      return value;
    },
    /** Forgets everything (tests, or a configuration change). */
    clear(): void {
      entries.clear();
    },
  };
}
