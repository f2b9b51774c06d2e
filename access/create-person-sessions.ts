import type { AccessStore, PersonSession } from "../registry/access-store.ts";
import { digestSecret } from "./digest-secret.ts";
import { newSecret } from "./new-secret.ts";

export interface PersonSessionsOptions {
  store: Pick<AccessStore, "createPersonSession" | "endPersonSession">;
  now: () => Date;
  /** How long a dashboard sign-in lasts. @default 12 */
  pageHours?: number;
  /** How long a `stackfork login` lasts. @default 720 (30 days) */
  cliHours?: number;
}

/** Secrets start with this, so a leaked one is recognised (secret scanners) and never taken for the API token. */
export const PERSON_SECRET_PREFIX = "sfp_";

/**
 * Starts and ends people's sessions once GitHub has proven who they are (sign-in/): the secret goes
 * to the person once (cookie or CLI token); the registry keeps only its digest.
 */
export function createPersonSessions({ store, now, pageHours = 12, cliHours = 720 }: PersonSessionsOptions) {
  return {
    async startPersonSession({
      login,
      via,
    }: {
      login: string;
      via: PersonSession["via"];
    }): Promise<{ secret: string; session: PersonSession }> {
      const secret = newSecret(PERSON_SECRET_PREFIX);
      const createdAt = now();
      const hours = via === "cli" ? cliHours : pageHours;
      const session: PersonSession = {
        id: digestSecret(secret),
        login,
        via,
        createdAt: createdAt.toISOString(),
        expiresAt: new Date(createdAt.getTime() + hours * 3_600_000).toISOString(),
      };
      await store.createPersonSession(session);
      return { secret, session };
    },
    /** Ends the session a secret proves, at once; nothing happens for an unknown one. */
    async endPersonSession(secret: string): Promise<void> {
      await store.endPersonSession(digestSecret(secret));
    },
  };
}

export type PersonSessions = ReturnType<typeof createPersonSessions>;
