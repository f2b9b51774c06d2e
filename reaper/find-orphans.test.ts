import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listFileBackendStacks } from "../provisioner/list-file-backend-stacks.ts";
import type { Registry } from "../registry/registry.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { findOrphans } from "./find-orphans.ts";

const now = new Date("2026-11-27T12:00:00.000Z");

describe("findOrphans", () => {
  let dir: string;
  let registry: Registry;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-orphans-"));
    registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  });
  afterEach(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Stack files laid out as the file:// backend keeps them: a backend per stack (provisioner/stack-paths.ts). */
  const writeStacks = (stacks: Record<string, string[]>) => {
    for (const [project, names] of Object.entries(stacks)) {
      for (const name of names) {
        const projectDir = path.join(dir, "pulumi", "backend", project, name, ".pulumi", "stacks", project);
        mkdirSync(projectDir, { recursive: true });
        writeFileSync(path.join(projectDir, `${name}.json`), "{}");
        writeFileSync(path.join(projectDir, `${name}.json.bak`), "{}"); // a backup is not a stack
      }
    }
    return listFileBackendStacks(path.join(dir, "pulumi"));
  };

  it("finds stacks no live environment owns and ready environments without a stack, and nothing else", async () => {
    const ready = await seedEnvironment(
      registry,
      { kind: "branch", repository: "acme/api", branch: "a" },
      "ready",
      now,
    );
    const lost = await seedEnvironment(registry, { kind: "branch", repository: "acme/api", branch: "b" }, "ready", now);
    const destroyed = await seedEnvironment(
      registry,
      { kind: "branch", repository: "acme/api", branch: "c" },
      "destroyed",
      now,
    );
    // No stack yet is normal for these: their first deploy has not created one.
    await seedEnvironment(registry, { kind: "branch", repository: "acme/api", branch: "d" }, "queued", now);
    await seedEnvironment(registry, { kind: "branch", repository: "acme/api", branch: "e" }, "awaiting_approval", now);
    const stacks = writeStacks({
      "acme-api": [ready.name, destroyed.name, "hand-made"],
      "gone-repo": ["old-branch"],
    });

    const orphans = await findOrphans(registry, stacks);

    expect(orphans.stacks.map((s) => [s.project, s.stack, s.environment])).toEqual([
      ["acme-api", destroyed.name, destroyed.id],
      ["acme-api", "hand-made", undefined],
      ["gone-repo", "old-branch", undefined],
    ]);
    expect(orphans.environments.map((e) => e.id)).toEqual([lost.id]);
  });

  it("lists no stacks before anything was ever deployed", () => {
    expect(listFileBackendStacks(path.join(dir, "no-state-yet"))).toEqual([]);
  });
});
