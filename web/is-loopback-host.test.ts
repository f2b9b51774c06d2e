import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "./is-loopback-host.ts";

describe("isLoopbackHost", () => {
  it("knows loopback from every other address", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", "128.0.0.1"])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
