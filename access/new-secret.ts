import { randomBytes } from "node:crypto";

/** A secret handed out once (a session's cookie or CLI token, a named token): 256 random bits. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}
