import { describe, expect, it } from "vitest";
import { readServiceConfig } from "./read-service-config.ts";

function configOf(values: Record<string, string>) {
  return { get: (key: string) => values[key] };
}

const base = { environment: "shop-main", repository: "acme/shop", branch: "main", commit: "abc1234" };

describe("readServiceConfig", () => {
  it("reads a local copy's config, target local by default", () => {
    const config = readServiceConfig(configOf({ ...base, dataDir: "/var/lib/copy" }));
    expect(config).toEqual({ ...base, target: "local", dataDir: "/var/lib/copy" });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads an aws copy's config with owner and expiry", () => {
    const config = readServiceConfig(
      configOf({ ...base, target: "aws", owner: "octocat", expiresAt: "2030-01-01T00:00:00Z" }),
    );
    expect(config).toEqual({ ...base, target: "aws", owner: "octocat", expiresAt: "2030-01-01T00:00:00Z" });
  });

  it("reads the permissions boundary of an aws copy's roles, and leaves it out when not given", () => {
    const permissionsBoundary = "arn:aws:iam::123456789012:policy/stackfork-copy-boundary";
    expect(readServiceConfig(configOf({ ...base, target: "aws", permissionsBoundary }))).toEqual({
      ...base,
      target: "aws",
      permissionsBoundary,
    });
    expect(readServiceConfig(configOf({ ...base, target: "aws" }))).not.toHaveProperty("permissionsBoundary");
    const read = () =>
      readServiceConfig(configOf({ ...base, target: "aws", permissionsBoundary: "arn:aws:iam::123:role/x" }));
    expect(read).toThrow(/stackfork:permissionsBoundary must be an IAM managed policy ARN/);
  });

  it("reports every problem at once", () => {
    const read = () =>
      readServiceConfig(configOf({ environment: "Not_Valid", repository: "nope", branch: "main", commit: "zz" }));
    expect(read).toThrow(/stackfork:environment/);
    expect(read).toThrow(/stackfork:repository/);
    expect(read).toThrow(/stackfork:commit/);
    expect(read).toThrow(/stackfork:dataDir is required when target is local/);
  });

  it("refuses an environment name longer than 40 and a relative data dir", () => {
    const read = () => readServiceConfig(configOf({ ...base, environment: "a".repeat(41), dataDir: "relative/dir" }));
    expect(read).toThrow(/stackfork:environment/);
    expect(read).toThrow(/stackfork:dataDir must be an absolute path/);
  });
});
