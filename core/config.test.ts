import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { isStackforkError, type StackforkError } from "./errors.ts";

const load = (env: Record<string, string>, file?: string) =>
  loadConfig({ env, cwd: "/srv/app", readFile: (f) => (f === "/srv/app/stackfork.config.json" ? file : undefined) });

function configError(fn: () => unknown): StackforkError {
  try {
    fn();
  } catch (err) {
    if (isStackforkError(err)) return err;
    throw err;
  }
  throw new Error("expected a CONFIG_INVALID error");
}

describe("loadConfig", () => {
  it("turns sign-in with GitHub on with a client id and secret, both or neither; the web URL defaults to github.com", () => {
    expect(load({}).signIn).toBeUndefined();
    expect(load({ GITHUB_OAUTH_CLIENT_ID: "Iv1.abc", GITHUB_OAUTH_CLIENT_SECRET: "s3cret" }).signIn).toEqual({
      clientId: "Iv1.abc",
      clientSecret: "s3cret",
      webUrl: "https://github.com",
    });
    const enterprise = load({
      GITHUB_OAUTH_CLIENT_ID: "Iv1.abc",
      GITHUB_OAUTH_CLIENT_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:x",
      GITHUB_WEB_URL: "https://ghe.acme.dev/",
    });
    expect(enterprise.signIn).toEqual({ clientId: "Iv1.abc", clientSecret: undefined, webUrl: "https://ghe.acme.dev" });
    expect(enterprise.secretArns.githubOAuthClientSecret).toBe("arn:aws:secretsmanager:us-east-1:1:secret:x");
    expect(configError(() => load({ GITHUB_OAUTH_CLIENT_ID: "Iv1.abc" })).message).toContain(
      "GITHUB_OAUTH_CLIENT_ID and GITHUB_OAUTH_CLIENT_SECRET",
    );
  });

  it("keeps stackfork login's token under the XDG config dir, or STACKFORK_CREDENTIALS", () => {
    expect(load({ HOME: "/home/mona" }).credentialsFile).toBe("/home/mona/.config/stackfork/credentials.json");
    expect(load({ XDG_CONFIG_HOME: "/xdg" }).credentialsFile).toBe("/xdg/stackfork/credentials.json");
    expect(load({ STACKFORK_CREDENTIALS: "creds.json" }).credentialsFile).toBe("/srv/app/creds.json");
  });

  it("uses the contract's defaults with no file", () => {
    const config = load({});
    expect(config).toMatchObject({ port: 8080, host: "127.0.0.1", dataDir: "/srv/app/.stackfork", repositories: [] });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads repositories with defaults and resolves localPath from the file's folder", () => {
    const config = load({}, JSON.stringify({ repositories: [{ name: "acme/api", localPath: "../api" }] }));
    expect(config.repositories[0]).toMatchObject({
      name: "acme/api",
      localPath: "/srv/api",
      stackPath: "stacks/service",
      target: "local",
    });
  });

  it("reads the dashboard's options: publicReads, sandboxesPerOwner, uploadMaxMegabytes", () => {
    expect(load({})).toMatchObject({
      publicReads: false,
      sandboxesPerOwner: undefined,
      uploadMaxBytes: 50 * 1024 * 1024,
    });
    const config = load({}, JSON.stringify({ publicReads: true, sandboxesPerOwner: 2, uploadMaxMegabytes: 1 }));
    expect(config).toMatchObject({ publicReads: true, sandboxesPerOwner: 2, uploadMaxBytes: 1024 * 1024 });
    expect(configError(() => load({}, JSON.stringify({ sandboxesPerOwner: 0 }))).code).toBe("CONFIG_INVALID");
  });

  it("reads the platform's admin team as org/team-slug, and refuses anything else", () => {
    expect(load({}).adminTeam).toBeUndefined();
    expect(load({}, JSON.stringify({ adminTeam: "acme/platform-team" })).adminTeam).toBe("acme/platform-team");
    for (const adminTeam of ["platform-team", "acme/", "acme/team/extra", 7]) {
      const err = configError(() => load({}, JSON.stringify({ adminTeam })));
      expect(err.code).toBe("CONFIG_INVALID");
      expect(err.message).toContain("adminTeam");
    }
  });

  it("makes the clone it runs in the demo repository when there is no config file", () => {
    const files = new Set(["/srv/app/.git/HEAD", "/srv/app/stacks/service/Pulumi.yaml"]);
    const config = loadConfig({ env: {}, cwd: "/srv/app", readFile: (f) => (files.has(f) ? "x" : undefined) });
    expect(config.repositories).toMatchObject([
      { name: "local/stackfork", localPath: "/srv/app", stackPath: "stacks/service" },
    ]);
  });

  it("reports every problem at once", () => {
    const err = configError(() =>
      load(
        { PORT: "nope" },
        JSON.stringify({ repositories: [{ name: "no-slash" }, { name: "a/b", target: "gcp" }], extra: 1 }),
      ),
    );
    expect(err.code).toBe("CONFIG_INVALID");
    for (const key of ["PORT", "repositories.0.name", "repositories.1.target"]) expect(err.message).toContain(key);
  });

  it("names a STACKFORK_CONFIG that does not exist", () => {
    expect(configError(() => load({ STACKFORK_CONFIG: "missing.json" })).code).toBe("CONFIG_INVALID");
  });
});
