import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** What a share link (and the cookie it sets) proves: this environment, issued then, valid until then. */
export interface ShareGrant {
  environmentId: string;
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * Share-link tokens: `<environment>.<issued ms>.<expires ms>.<HMAC>`, signed with a key derived
 * from the API token (a secret every instance of the server already keeps), under its own purpose
 * so it signs nothing else. Rotating the API token voids every link, as it ends every session.
 */
export function createShareLinkToken(apiToken: string) {
  const key = createHmac("sha256", apiToken).update("stackfork share links v1").digest();
  const mac = (body: string) => createHmac("sha256", key).update(body).digest("base64url");
  return {
    sign(grant: ShareGrant): string {
      const body = `${grant.environmentId}.${grant.issuedAt.getTime()}.${grant.expiresAt.getTime()}`;
      return `${body}.${mac(body)}`;
    },
    /** The grant a token proves for this environment at `now`: signed by us, its own environment, not expired. */
    verify(token: string | undefined, environmentId: string, now: Date): ShareGrant | undefined {
      const [id, issued, expires, signature, ...rest] = token?.split(".") ?? [];
      if (!id || !issued || !expires || !signature || rest.length > 0) return undefined;
      if (!sameText(signature, mac(`${id}.${issued}.${expires}`)) || id !== environmentId) return undefined;
      const grant = { environmentId: id, issuedAt: new Date(Number(issued)), expiresAt: new Date(Number(expires)) };
      return grant.expiresAt.getTime() > now.getTime() ? grant : undefined;
    },
  };
}

export type ShareLinkToken = ReturnType<typeof createShareLinkToken>;

function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}
