import { describe, expect, it } from "vitest";
import { isAllowedHost } from "./is-allowed-host.ts";

describe("isAllowedHost", () => {
  it("allows loopback names, on any port (a rebinding page controls the name, not the port)", () => {
    for (const host of ["localhost:8080", "LOCALHOST:9000", "127.0.0.1:8080", "127.0.0.1", "[::1]:8080", "localhost"])
      expect(isAllowedHost(host, {}, {}), host).toBe(true);
  });

  it("refuses every other name: a DNS name rebound to this machine, tricks of syntax, none at all", () => {
    for (const host of [
      "evil.example",
      "evil.example:8080",
      "localhost.evil.example:8080",
      "evil.example@localhost:8080",
      "localhost:8080@evil.example",
      "localhost.:8080",
      "localhost:8080:8080",
      "local host",
      "",
      undefined,
    ]) {
      expect(isAllowedHost(host, {}, {}), String(host)).toBe(false);
    }
  });

  it("allows the bind address and the address the connection came in on, never a wildcard", () => {
    expect(isAllowedHost("10.0.0.5:8080", { listen: { host: "10.0.0.5" } }, {})).toBe(true);
    expect(isAllowedHost("dash.lan:8080", { listen: { host: "Dash.LAN" } }, {})).toBe(true);
    expect(isAllowedHost("10.0.0.6:8080", { listen: { host: "10.0.0.5" } }, {})).toBe(false);
    expect(isAllowedHost("192.168.1.20:8080", {}, { localAddress: "::ffff:192.168.1.20" })).toBe(true);
    expect(isAllowedHost("[fe80::1]:8080", {}, { localAddress: "fe80::1" })).toBe(true);
    expect(isAllowedHost("0.0.0.0:8080", { listen: { host: "0.0.0.0" } }, { localAddress: "::" })).toBe(false);
  });

  it("allows the configured names, on any port unless the entry names one", () => {
    const rules = { allowedHosts: ["stackfork.acme.dev", "Dash.Internal:8443"] };
    expect(isAllowedHost("stackfork.acme.dev", rules, {})).toBe(true);
    expect(isAllowedHost("STACKFORK.acme.dev:443", rules, {})).toBe(true);
    expect(isAllowedHost("dash.internal:8443", rules, {})).toBe(true);
    expect(isAllowedHost("dash.internal:8080", rules, {})).toBe(false);
    expect(isAllowedHost("acme.dev", rules, {})).toBe(false);
  });
});
