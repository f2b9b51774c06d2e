import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ErrorCode } from "../core/errors.ts";
import { isStackforkError } from "../core/errors.ts";
import type { AccessStore, NamedToken, PersonSession } from "./access-store.ts";

/** A store the suite closes after each test (a Registry is one). */
export type ClosableAccessStore = AccessStore & { close(): Promise<void> };

export interface AccessStoreContractOptions {
  /** A second store on the storage of the one `makeStore` returned last (its file, its table). */
  reopen: () => Promise<ClosableAccessStore>;
}

const t0 = new Date("2030-01-01T00:00:00.000Z");
/** A fixed instant `seconds` after t0: tests never read the clock. */
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const session = (id: string, fields: Partial<PersonSession> = {}): PersonSession => ({
  id,
  login: "octocat",
  via: "page",
  createdAt: at(0).toISOString(),
  expiresAt: at(3600).toISOString(),
  ...fields,
});

const token = (name: string, fields: Partial<NamedToken> = {}): NamedToken => ({
  name,
  digest: `digest-of-${name}`,
  scopes: ["read"],
  createdBy: "admin-login",
  createdAt: at(0).toISOString(),
  ...fields,
});

async function codeOf(work: Promise<unknown>): Promise<ErrorCode | string> {
  try {
    await work;
  } catch (err) {
    return isStackforkError(err) ? err.code : "not a StackforkError";
  }
  return "no error";
}

/**
 * The behaviour every AccessStore adapter shares, through the port only. `makeStore` returns a new,
 * empty store for every test.
 */
export function describeAccessStoreContract(
  name: string,
  makeStore: () => Promise<ClosableAccessStore>,
  options: AccessStoreContractOptions,
): void {
  describe(`AccessStore contract: ${name}`, () => {
    let store: ClosableAccessStore;
    const others: ClosableAccessStore[] = [];
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await store.close();
    });
    // Writes through `store`, reads through the other: two SQLite connections in one thread would
    // wait on each other's open group commit.
    const reopen = async () => {
      const other = await options.reopen();
      others.push(other);
      return other;
    };

    it("reads a person's session back until its expiry, and not from then on", async () => {
      await store.createPersonSession(session("s-page"));
      await store.createPersonSession(session("s-cli", { login: "hubot", via: "cli" }));
      expect(await store.readPersonSession("s-page", at(10))).toEqual(session("s-page"));
      expect(await store.readPersonSession("s-cli", at(3599))).toEqual(
        session("s-cli", { login: "hubot", via: "cli" }),
      );
      expect(await store.readPersonSession("s-cli", at(3600))).toBeUndefined();
      expect(await store.readPersonSession("s-page", at(7200))).toBeUndefined();
      expect(await store.readPersonSession("unknown", at(10))).toBeUndefined();
    });

    it("ends a session at once for every instance, and ending an unknown one does nothing", async () => {
      await store.createPersonSession(session("s-1"));
      await store.createPersonSession(session("s-2"));
      const other = await reopen();
      expect(await other.readPersonSession("s-1", at(1))).toEqual(session("s-1"));
      await store.endPersonSession("s-1");
      expect(await other.readPersonSession("s-1", at(2))).toBeUndefined();
      expect(await store.readPersonSession("s-1", at(2))).toBeUndefined();
      expect(await other.readPersonSession("s-2", at(2))).toEqual(session("s-2"));
      await expect(store.endPersonSession("never-was")).resolves.toBeUndefined();
      await expect(store.endPersonSession("s-1")).resolves.toBeUndefined();
    });

    it("finds a named token by its digest, with its scopes, and lists live ones by name", async () => {
      await store.createNamedToken(token("deploy-bot", { scopes: ["read", "write"] }));
      await store.createNamedToken(token("ci", { scopes: ["admin"], createdBy: "token:root" }));
      expect(await store.findNamedToken("digest-of-deploy-bot")).toEqual(
        token("deploy-bot", { scopes: ["read", "write"] }),
      );
      expect(await store.findNamedToken("digest-of-nothing")).toBeUndefined();
      expect(await store.listNamedTokens()).toEqual([
        token("ci", { scopes: ["admin"], createdBy: "token:root" }),
        token("deploy-bot", { scopes: ["read", "write"] }),
      ]);
    });

    it("refuses a second live token of one name with CONFLICT, and keeps the first", async () => {
      await store.createNamedToken(token("ci"));
      expect(await codeOf(store.createNamedToken(token("ci", { digest: "another", scopes: ["admin"] })))).toBe(
        "CONFLICT",
      );
      expect(await store.findNamedToken("another")).toBeUndefined();
      expect(await store.listNamedTokens()).toEqual([token("ci")]);
    });

    it("revokes a token at once for every instance; the name is free again; unknown names are NOT_FOUND", async () => {
      await store.createNamedToken(token("ci"));
      await store.createNamedToken(token("kept"));
      const other = await reopen();
      expect(await other.findNamedToken("digest-of-ci")).toEqual(token("ci"));
      await store.revokeNamedToken("ci");
      expect(await other.findNamedToken("digest-of-ci")).toBeUndefined();
      expect(await other.listNamedTokens()).toEqual([token("kept")]);
      expect(await codeOf(store.revokeNamedToken("ci"))).toBe("NOT_FOUND");
      expect(await codeOf(store.revokeNamedToken("never-was"))).toBe("NOT_FOUND");

      await store.createNamedToken(token("ci", { digest: "digest-of-ci-2" }));
      expect(await other.findNamedToken("digest-of-ci")).toBeUndefined();
      expect((await other.findNamedToken("digest-of-ci-2"))?.name).toBe("ci");
    });
  });
}
