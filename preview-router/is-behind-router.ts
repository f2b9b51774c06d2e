import { isLoopbackHost } from "../web/is-loopback-host.ts";

/**
 * Whether a copy's own URL is one the router serves: plain http on a loopback address (a `local`
 * target's copy). An `aws` copy's API Gateway URL is public already and is not proxied; nor is
 * anything else a stack output may claim (the router never becomes a way to reach other hosts).
 */
export function isBehindRouter(directUrl: string | undefined): directUrl is string {
  if (!directUrl) return false;
  try {
    const url = new URL(directUrl);
    return url.protocol === "http:" && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}
