import { StackforkError } from "../core/errors.ts";
import type { Registry } from "../registry/registry.ts";
import type { PreviewAddresses } from "./create-preview-addresses.ts";
import { isBehindRouter } from "./is-behind-router.ts";
import { SHARE_QUERY_PARAMETER } from "./preview-cookie.ts";
import { createShareLinkRevocations, MAX_SHARE_HOURS } from "./share-link-revocations.ts";
import { createShareLinkToken, type ShareGrant } from "./share-link-token.ts";

export interface ShareLinksOptions {
  /** The API token: the links' signing key is derived from it (share-link-token.ts). */
  apiToken: string;
  registry: Pick<Registry, "getEnvironment" | "revokeSession" | "isSessionRevoked">;
  addresses: PreviewAddresses;
  now: () => Date;
}

/** A link that opens a preview: `<routed url>/?stackfork-share=<token>`. */
export interface ShareLink {
  url: string;
  /** ISO 8601 */
  expiresAt: string;
}

/** @default 24 hours: a link to show a change today and tomorrow. */
export const DEFAULT_SHARE_HOURS = 24;

/** Signed, expiring links to one environment's preview, revocable all at once per environment. */
export function createShareLinks({ apiToken, registry, addresses, now }: ShareLinksOptions) {
  const token = createShareLinkToken(apiToken);
  const revocations = createShareLinkRevocations(registry);
  return {
    /** Throws NOT_FOUND for an unknown or destroyed environment, INVALID_INPUT for one not behind the router. */
    async issue(environmentId: string, hours = DEFAULT_SHARE_HOURS): Promise<ShareLink> {
      if (!(hours > 0 && hours <= MAX_SHARE_HOURS))
        throw new StackforkError("INVALID_INPUT", `hours must be more than 0 and at most ${MAX_SHARE_HOURS}`);
      const environment = await registry.getEnvironment(environmentId);
      if (!environment || environment.status === "destroyed")
        throw new StackforkError("NOT_FOUND", `no live environment ${environmentId}`);
      if (environment.url && !isBehindRouter(environment.url))
        throw new StackforkError(
          "INVALID_INPUT",
          `${environment.name} is not served through the preview router (its own address is ${environment.url}): share that address instead`,
        );
      const issuedAt = now();
      const expiresAt = new Date(issuedAt.getTime() + Math.round(hours * 3_600_000));
      const signed = token.sign({ environmentId: environment.id, issuedAt, expiresAt });
      return {
        url: `${addresses.routedUrlOf(environment.name)}/?${SHARE_QUERY_PARAMETER}=${encodeURIComponent(signed)}`,
        expiresAt: expiresAt.toISOString(),
      };
    },
    /** The grant a token (from a link or the cookie) gives on this environment now: signed, unexpired, not revoked. */
    async check(signed: string | undefined, environmentId: string): Promise<ShareGrant | undefined> {
      const grant = token.verify(signed, environmentId, now());
      if (!grant || (await revocations.isRevoked(environmentId, grant.issuedAt))) return undefined;
      return grant;
    },
    /** Every link issued so far stops working; later ones work. */
    async revokeAll(environmentId: string): Promise<void> {
      const environment = await registry.getEnvironment(environmentId);
      if (!environment) throw new StackforkError("NOT_FOUND", `no environment ${environmentId}`);
      await revocations.revokeAll(environment.id, now());
    },
  };
}

export type ShareLinks = ReturnType<typeof createShareLinks>;
