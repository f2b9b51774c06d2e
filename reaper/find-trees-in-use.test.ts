import { describe, expect, it } from "vitest";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { findTreesInUse } from "./find-trees-in-use.ts";

const now = new Date("2026-11-27T12:00:00.000Z");
const branch = (name: string) => ({ kind: "branch" as const, repository: "acme/api", branch: name });

describe("findTreesInUse", () => {
  const stores = useSqliteStores();

  it("is every live environment's commit and every pending job's, not a destroyed environment's", async () => {
    const { registry, queue } = stores;
    await seedEnvironment(registry, branch("live"), "ready", now, { commitSha: "a".repeat(40) });
    await seedEnvironment(registry, branch("gone"), "destroyed", now, { commitSha: "d".repeat(40) });
    const sandbox = await seedEnvironment(registry, branch("sandbox"), "failed", now);
    await queue.enqueue(
      {
        environmentId: sandbox.id,
        type: "deploy",
        commitSha: "upload-0123456789abcdef",
        reason: { actor: "x", message: "m" },
      },
      now,
    );
    await queue.enqueue(
      { environmentId: "other", type: "deploy", commitSha: "bbbbbbb", reason: { actor: "x", message: "m" } },
      now,
    );

    expect([...(await findTreesInUse(registry, queue))].sort()).toEqual(
      ["a".repeat(40), "bbbbbbb", "upload-0123456789abcdef"].sort(),
    );
  });
});
