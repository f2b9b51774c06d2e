import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryCheck, ReconciliationStore, RepositoryReconciliation } from "./reconciliation-store.ts";

/** A store, and a way to open another on the same data (a restart, another Lambda container). */
export interface ReconciliationStoreUnderTest {
  store: ReconciliationStore;
  reopen(): Promise<ReconciliationStore>;
}

const sha = (n: number) => n.toString(16).padStart(40, "0");

function record(repository: string, overrides: Partial<RepositoryReconciliation> = {}): RepositoryReconciliation {
  return {
    repository,
    lastAttemptAt: "2030-01-01T00:00:00.000Z",
    lastSuccessAt: "2030-01-01T00:00:00.000Z",
    lastChanges: [],
    baseline: { main: sha(1), "feature/a": sha(2) },
    branchPages: [
      {
        etag: 'W/"branches-1"',
        hasNext: false,
        items: [
          { name: "main", sha: sha(1) },
          { name: "feature/a", sha: sha(2) },
        ],
      },
    ],
    pullPages: [{ etag: 'W/"pulls-1"', hasNext: false, items: [] }],
    ...overrides,
  };
}

function check(hook: string, overrides: Partial<DeliveryCheck> = {}): DeliveryCheck {
  return {
    hook,
    checkedAt: "2030-01-01T00:00:00.000Z",
    requested: [
      { guid: "guid-1", deliveryId: 11, event: "push", askedAt: "2030-01-01T00:00:01.000Z", outcome: "requested" },
    ],
    ...overrides,
  };
}

/**
 * The behaviour every ReconciliationStore adapter shares, tested through the port only. `make`
 * returns a new, empty store for every test; the suite closes what it opened.
 */
export function describeReconciliationStoreContract(
  name: string,
  make: () => Promise<ReconciliationStoreUnderTest>,
): void {
  describe(`ReconciliationStore contract: ${name}`, () => {
    let subject: ReconciliationStoreUnderTest;
    let store: ReconciliationStore;
    const opened: ReconciliationStore[] = [];
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
      opened.push(store);
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
    });
    const reopen = async () => {
      const again = await subject.reopen();
      opened.push(again);
      return again;
    };

    it("knows nothing at first", async () => {
      expect(await store.getRepository("acme/api")).toBeUndefined();
      expect(await store.listRepositories()).toEqual([]);
      expect(await store.getDeliveryCheck("app")).toBeUndefined();
      expect(await store.listDeliveryChecks()).toEqual([]);
    });

    it("gives a repository's record back exactly as saved, by its name in any case, and replaces it whole", async () => {
      const first = record("Acme/API", {
        lastChanges: [
          {
            kind: "branch_deleted",
            action: "destroy",
            environment: "api-gone",
            branch: "gone",
            reason: "reconciled: branch deleted",
            outcome: "queued",
          },
        ],
        lastChangedAt: "2030-01-01T00:00:00.000Z",
        lastError: { code: "GITHUB_RATE_LIMITED", message: "later" },
        backoffUntil: "2030-01-01T01:00:00.000Z",
      });
      await store.saveRepository(first);
      expect(await store.getRepository("Acme/API")).toStrictEqual(first);
      expect(await store.getRepository("acme/api")).toStrictEqual(first);

      // Fields absent from the new record are gone, not merged from the old one.
      const second = record("acme/api", { lastAttemptAt: "2030-01-02T00:00:00.000Z", baseline: undefined });
      delete second.baseline;
      await store.saveRepository(second);
      expect(await store.getRepository("ACME/api")).toStrictEqual(second);
      expect(await store.listRepositories()).toStrictEqual([second]);
    });

    it("is not changed by the caller changing a record after saving it", async () => {
      const saved = record("acme/api");
      await store.saveRepository(saved);
      saved.lastChanges.push({ kind: "new_branch", action: "deploy", branch: "late", reason: "mutated" });
      saved.branchPages[0]?.items.push({ name: "late", sha: sha(9) });
      expect(await store.getRepository("acme/api")).toStrictEqual(record("acme/api"));
    });

    it("lists every repository reconciled, once each, ordered by lowercase name", async () => {
      for (const name of ["acme/web", "Acme/api", "zeta/x", "acme/Cli"]) await store.saveRepository(record(name));
      await store.saveRepository(record("acme/web", { lastAttemptAt: "2030-01-03T00:00:00.000Z" }));
      const listed = await store.listRepositories();
      expect(listed.map((r) => r.repository)).toEqual(["Acme/api", "acme/Cli", "acme/web", "zeta/x"]);
      expect(listed[2]?.lastAttemptAt).toBe("2030-01-03T00:00:00.000Z");
    });

    it("keeps a repository of 5,000 branches on 50 pages whole", async () => {
      const branches = Array.from({ length: 5000 }, (_, i) => ({
        name: `feature/JIRA-${1000 + i}-some-change`,
        sha: sha(1_000_000 + i * 7919),
      }));
      const big = record("acme/monorepo", {
        baseline: Object.fromEntries(branches.map((b) => [b.name, b.sha])),
        branchPages: Array.from({ length: 50 }, (_, page) => ({
          etag: `W/"page-${page}"`,
          hasNext: page < 49,
          items: branches.slice(page * 100, page * 100 + 100),
        })),
      });
      await store.saveRepository(big);
      expect(await store.getRepository("acme/monorepo")).toStrictEqual(big);
    });

    it("gives a deliveries check back as saved, replaces it whole and lists checks by hook", async () => {
      await store.saveDeliveryCheck(check("repo:acme/api:12"));
      await store.saveDeliveryCheck(check("app"));
      const replaced = check("repo:acme/api:12", { checkedAt: "2030-01-02T00:00:00.000Z", requested: [] });
      await store.saveDeliveryCheck(replaced);
      expect(await store.getDeliveryCheck("repo:acme/api:12")).toStrictEqual(replaced);
      expect(await store.getDeliveryCheck("repo:acme/web:12")).toBeUndefined();
      expect(await store.listDeliveryChecks()).toStrictEqual([check("app"), replaced]);
    });

    it("keeps records and checks for the next store opened on the same data", async () => {
      await store.saveRepository(record("acme/api"));
      await store.saveDeliveryCheck(check("app"));
      const again = await reopen();
      expect(await again.getRepository("acme/api")).toStrictEqual(record("acme/api"));
      expect(await again.listRepositories()).toStrictEqual([record("acme/api")]);
      expect(await again.listDeliveryChecks()).toStrictEqual([check("app")]);
    });
  });
}
