import type { TokenScope, Via } from "../core/principal.ts";

/** A person signed in with GitHub: a dashboard session (`page`) or a `stackfork login` (`cli`). */
export interface PersonSession {
  /** A digest of the secret the person holds (cookie or CLI token), never the secret itself. */
  id: string;
  login: string;
  via: Extract<Via, "page" | "cli">;
  /** ISO 8601 */
  createdAt: string;
  expiresAt: string;
}

/** A token for machines, named and scoped, created and revoked by an admin. */
export interface NamedToken {
  name: string;
  /** A digest of the token, never the token. */
  digest: string;
  scopes: TokenScope[];
  createdBy: string;
  /** ISO 8601 */
  createdAt: string;
}

/**
 * People's sessions and named tokens (issue 22), shared by every instance of the dashboard (on AWS
 * several Lambda instances): SQLite and DynamoDB, one contract suite (access-store-contract.ts).
 */
export interface AccessStore {
  createPersonSession(session: PersonSession): Promise<void>;
  /** Undefined when unknown, ended, or past its expiry at `now`. */
  readPersonSession(id: string, now: Date): Promise<PersonSession | undefined>;
  /** Ends it at once for every instance; nothing happens for an unknown one. */
  endPersonSession(id: string): Promise<void>;
  /** A live token of that name throws CONFLICT. */
  createNamedToken(token: NamedToken): Promise<void>;
  /** The live token with that digest; undefined once revoked. */
  findNamedToken(digest: string): Promise<NamedToken | undefined>;
  /** By name, live ones only. */
  listNamedTokens(): Promise<NamedToken[]>;
  /** An unknown name throws NOT_FOUND; revoked at once for every instance. */
  revokeNamedToken(name: string): Promise<void>;
}
