import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { describeReconciliationStoreContract } from "./reconciliation-store-contract.ts";
import { createSqliteReconciliationStore } from "./sqlite-reconciliation-store.ts";

let dir: string;
let files = 0;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "stackfork-reconciliation-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeReconciliationStoreContract("sqlite", async () => {
  const file = path.join(dir, `reconciliation-${++files}.db`);
  return {
    store: createSqliteReconciliationStore({ file }),
    reopen: async () => createSqliteReconciliationStore({ file }),
  };
});
