import type { Principal } from "../core/principal.ts";
import type { AccessStore, PersonSession } from "../registry/access-store.ts";
import { digestSecret } from "./digest-secret.ts";

export interface PrincipalResolverOptions {
  /** Whether a bearer is the API token (constant time: dashboard/create-auth.ts). */
  apiTokenMatches: (candidate: string) => boolean;
  store: Pick<AccessStore, "findNamedToken" | "readPersonSession">;
  now: () => Date;
}

/**
 * Who a secret a request carries is (issue 22). A bearer is the API token, a named token, or a
 * person's CLI token (`stackfork login`); a dashboard cookie of a person signed in on the page.
 * Every lookup reads the registry, so a revoked token or an ended session stops at the next request.
 * A session is only good where it was given: a page's cookie is no bearer, a CLI token no cookie.
 */
export function createPrincipalResolver({ apiTokenMatches, store, now }: PrincipalResolverOptions) {
  return {
    async fromBearer(secret: string): Promise<Principal | undefined> {
      if (apiTokenMatches(secret)) return { kind: "api_token" };
      const digest = digestSecret(secret);
      const token = await store.findNamedToken(digest);
      if (token) return { kind: "token", name: token.name, scopes: token.scopes };
      const session = await store.readPersonSession(digest, now());
      return session?.via === "cli" ? { kind: "person", login: session.login } : undefined;
    },
    async fromPageCookie(secret: string): Promise<PersonSession | undefined> {
      const session = await store.readPersonSession(digestSecret(secret), now());
      return session?.via === "page" ? session : undefined;
    },
  };
}

export type PrincipalResolver = ReturnType<typeof createPrincipalResolver>;
