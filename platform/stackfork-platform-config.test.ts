import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { readPlatformConfig } from "./stackfork-platform-config.ts";

function read(config: Record<string, string>) {
  pulumi.runtime.setAllConfig({ "aws:region": "us-east-1", ...config });
  return readPlatformConfig(new pulumi.Config("stackfork"));
}

function problemsOf(config: Record<string, string>): string {
  try {
    read(config);
  } catch (err) {
    expect(err).toBeInstanceOf(pulumi.RunError);
    return (err as Error).message;
  }
  throw new Error("expected the config to be refused");
}

describe("the platform's config", () => {
  it("has a documented default for everything but aws:region", () => {
    expect(read({})).toEqual({
      prefix: "stackfork",
      logRetentionDays: 14,
      reaperSchedule: "rate(5 minutes)",
      workerMaxConcurrency: 5,
      workerMemoryMb: 2048,
      configJson: '{"repositories":[]}',
      copyNamePrefixes: [],
    });
  });

  it("reports every problem at once, before anything is created", () => {
    const message = problemsOf({
      "stackfork:prefix": "no spaces allowed",
      "stackfork:logRetentionDays": "10",
      "stackfork:reaperSchedule": "every 5 minutes",
      "stackfork:workerMaxConcurrency": "1",
      "stackfork:githubAppId": "my-app",
      "stackfork:config": JSON.stringify({ repositories: [{ name: "not a repository" }], leaseSeconds: -1 }),
    });
    for (const part of [
      "stackfork:prefix",
      "stackfork:logRetentionDays",
      "stackfork:reaperSchedule",
      "stackfork:workerMaxConcurrency",
      "stackfork:githubAppId",
      "repositories.0.name",
      "leaseSeconds",
    ]) {
      expect(message).toContain(part);
    }
  });

  it("refuses what a Lambda worker cannot do: a local clone, local copies", () => {
    const message = problemsOf({
      "stackfork:config": JSON.stringify({
        repositories: [
          { name: "acme/shop", localPath: "/src/shop" },
          { name: "acme/api", target: "local" },
        ],
      }),
    });
    expect(message).toContain("acme/shop: localPath");
    expect(message).toContain("acme/api: target local");
  });

  it("refuses copies whose names would match the platform's own", () => {
    expect(
      problemsOf({ "stackfork:config": JSON.stringify({ repositories: [{ name: "acme/stackfork" }] }) }),
    ).toContain("would share the platform's own names");
    expect(
      read({
        "stackfork:prefix": "platform",
        "stackfork:config": JSON.stringify({ repositories: [{ name: "acme/stackfork" }] }),
      }).copyNamePrefixes,
    ).toEqual(["stackfork-"]);
  });

  it("gives repositories the aws target and refuses a config too large for Lambda's variables", () => {
    const config = read({ "stackfork:config": JSON.stringify({ repositories: [{ name: "acme/shop", ttlHours: 1 }] }) });
    expect(JSON.parse(config.configJson)).toEqual({
      repositories: [{ target: "aws", name: "acme/shop", ttlHours: 1 }],
    });
    const many = Array.from({ length: 80 }, (_, i) => ({ name: `acme/repository-number-${i}` }));
    expect(problemsOf({ "stackfork:config": JSON.stringify({ repositories: many }) })).toContain("at most about");
  });
});
