import { isIP } from "node:net";
import { isLoopbackHost } from "../web/is-loopback-host.ts";

export interface HostRules {
  /**
   * Names people reach the server by besides its own addresses (a reverse proxy's, the public URL's
   * host), each `name` (any port) or `name:port`.
   * @example ["stackfork.acme.dev"]
   */
  allowedHosts?: readonly string[];
  /** Where the server listens (HOST), when the caller knows: a name it is bound to is one of its own. */
  listen?: { host: string };
}

/** The connection's own end: the address the client connected to. */
export interface ServedAddress {
  localAddress?: string;
}

/** `name` or `[v6]`, then maybe `:port`: nothing else (no userinfo, no trailing dot, no spaces). */
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([0-9]{1,5}))?$/i;
const WILDCARDS = new Set(["0.0.0.0", "::"]);

/**
 * Whether a request's Host names this server. A page on a name the attacker owns, rebound by DNS to
 * this machine's address, reaches a loopback server from the victim's browser, but its requests
 * carry the attacker's name as Host: refused. Allowed: loopback names, the bind address and the
 * address the connection came in on, and the configured names (with their port, if they name one).
 * https://en.wikipedia.org/wiki/DNS_rebinding
 */
export function isAllowedHost(host: string | undefined, rules: HostRules, served: ServedAddress): boolean {
  const match = HOST.exec(host ?? "");
  if (!match) return false;
  const name = bare(match[1] ?? "");
  const port = match[2] === undefined ? undefined : Number(match[2]);

  // Any port: a rebinding page controls the name, not the port, and a port-mapped container or a
  // proxy changes the port people use.
  const own = [rules.listen?.host, served.localAddress].flatMap((a) => (a && !WILDCARDS.has(bare(a)) ? [bare(a)] : []));
  if (isLoopbackHost(name) || own.includes(name)) return true;

  return (rules.allowedHosts ?? []).some((entry) => {
    const allowed = HOST.exec(entry.trim());
    if (!allowed) return false;
    const allowedPort = allowed[2] === undefined ? undefined : Number(allowed[2]);
    return bare(allowed[1] ?? "") === name && (allowedPort === undefined || allowedPort === port);
  });
}

/** Lower case, no brackets, an IPv4-mapped IPv6 address as IPv4. */
function bare(address: string): string {
  const plain = address.replace(/^\[|\]$/g, "").toLowerCase();
  const mapped = /^::ffff:([0-9.]+)$/.exec(plain)?.[1];
  return mapped && isIP(mapped) === 4 ? mapped : plain;
}
