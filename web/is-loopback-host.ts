// Whether a host name is this machine's own: the dashboard (open reads on loopback) and the preview router (copies it proxies to) both ask.
import { isIP } from "node:net";

/**
 * Whether a listen address is reachable from this machine only: then reads need no token.
 * `0.0.0.0` and `::` are every address, not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1" || bare === "::ffff:127.0.0.1";
}
