import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Registry } from "../registry/registry.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { createPersonSessions } from "./create-person-sessions.ts";
import { digestSecret } from "./digest-secret.ts";
import { createPrincipalResolver } from "./resolve-principal.ts";

let dir: string;
let registry: Registry;
let clock: Date;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "stackfork-access-"));
  registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  clock = new Date("2030-01-01T00:00:00.000Z");
});
afterEach(async () => {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const API_TOKEN = "the-api-token";
const resolver = () =>
  createPrincipalResolver({ apiTokenMatches: (t) => t === API_TOKEN, store: registry, now: () => clock });

describe("createPrincipalResolver", () => {
  it("knows the API token, a named token by its digest, and a person's CLI token", async () => {
    const sessions = createPersonSessions({ store: registry, now: () => clock });
    const cli = await sessions.startPersonSession({ login: "octocat", via: "cli" });
    await registry.createNamedToken({
      name: "ci",
      digest: digestSecret("sft_named"),
      scopes: ["read"],
      createdBy: "api-token",
      createdAt: clock.toISOString(),
    });
    const who = resolver();
    expect(await who.fromBearer(API_TOKEN)).toEqual({ kind: "api_token" });
    expect(await who.fromBearer("sft_named")).toEqual({ kind: "token", name: "ci", scopes: ["read"] });
    expect(await who.fromBearer(cli.secret)).toEqual({ kind: "person", login: "octocat" });
    expect(await who.fromBearer("anything else")).toBeUndefined();
    // The registry keeps the digest only.
    expect(cli.session.id).toBe(digestSecret(cli.secret));
    expect(await registry.readPersonSession(cli.secret, clock)).toBeUndefined();
  });

  it("takes a page's session only as a cookie and a CLI token only as a bearer", async () => {
    const sessions = createPersonSessions({ store: registry, now: () => clock });
    const page = await sessions.startPersonSession({ login: "octocat", via: "page" });
    const cli = await sessions.startPersonSession({ login: "octocat", via: "cli" });
    const who = resolver();
    expect(await who.fromBearer(page.secret)).toBeUndefined();
    expect(await who.fromPageCookie(cli.secret)).toBeUndefined();
    expect((await who.fromPageCookie(page.secret))?.login).toBe("octocat");
  });

  it("stops a session at its expiry and at once when ended, and a named token at once when revoked", async () => {
    const sessions = createPersonSessions({ store: registry, now: () => clock, pageHours: 1, cliHours: 2 });
    const page = await sessions.startPersonSession({ login: "octocat", via: "page" });
    const cli = await sessions.startPersonSession({ login: "octocat", via: "cli" });
    await registry.createNamedToken({
      name: "ci",
      digest: digestSecret("sft_named"),
      scopes: ["write"],
      createdBy: "api-token",
      createdAt: clock.toISOString(),
    });
    const who = resolver();
    expect(page.session.expiresAt).toBe("2030-01-01T01:00:00.000Z");
    clock = new Date("2030-01-01T01:00:00.000Z");
    expect(await who.fromPageCookie(page.secret)).toBeUndefined();
    expect(await who.fromBearer(cli.secret)).toEqual({ kind: "person", login: "octocat" });
    await sessions.endPersonSession(cli.secret);
    expect(await who.fromBearer(cli.secret)).toBeUndefined();
    await registry.revokeNamedToken("ci");
    expect(await who.fromBearer("sft_named")).toBeUndefined();
  });
});
