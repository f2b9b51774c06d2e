import { readFileSync } from "node:fs";

/** What `stackfork login` keeps: the person's stackfork token for one server. */
export interface Credentials {
  serverUrl: string;
  login: string;
  token: string;
  /** ISO 8601 */
  expiresAt: string;
}

/**
 * The credentials `stackfork login` saved, if they are for `serverUrl` and not expired at `now`: a
 * token of another server, or a dead one, is never sent.
 */
export function readCredentials(file: string, serverUrl: string, now = new Date()): Credentials | undefined {
  let saved: Partial<Credentials>;
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as Partial<Credentials>;
  } catch {
    return undefined;
  }
  if (typeof saved.token !== "string" || typeof saved.login !== "string" || typeof saved.expiresAt !== "string")
    return undefined;
  if (saved.serverUrl !== serverUrl || Date.parse(saved.expiresAt) <= now.getTime()) return undefined;
  return saved as Credentials;
}
