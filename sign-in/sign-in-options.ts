import type { PersonSession } from "../registry/access-store.ts";

/** Sign-in with GitHub's settings (core/config.ts `signIn`, the client secret resolved). */
export interface GitHubSignInClient {
  /** An OAuth App's client id, or a GitHub App's own. */
  clientId: string;
  clientSecret: string;
  /** Where browsers and the device flow go. @example "https://github.com" */
  webUrl: string;
  /** The REST API, for `GET /user`. @default "https://api.github.com" */
  apiUrl?: string;
}

/** What signing in does on stackfork's side once GitHub has said who the person is (access/). */
export interface PersonSessions {
  /** A new session for `login`: the secret is handed to the person once (cookie or CLI token). */
  startPersonSession(input: {
    login: string;
    via: PersonSession["via"];
  }): Promise<{ secret: string; session: PersonSession }>;
  /** Ends the session a secret proves, at once; nothing happens for an unknown one. */
  endPersonSession(secret: string): Promise<void>;
}
