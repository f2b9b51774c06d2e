import { createHash } from "node:crypto";

/**
 * What the registry knows a person's session or a named token by: a SHA-256 of the secret, never
 * the secret. The secrets are 32 random bytes, so a plain hash cannot be reversed by guessing.
 */
export function digestSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}
