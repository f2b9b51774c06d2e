import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import { isStackforkError } from "../core/errors.ts";
import type { Registry } from "../registry/registry.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createCostStep } from "./create-cost-step.ts";

const configOf = (file: object, dataDir: string) =>
  loadConfig({
    env: { STACKFORK_CONFIG_JSON: JSON.stringify(file), STACKFORK_DATA_DIR: dataDir },
    cwd: dataDir,
    readFile: () => undefined,
  });

describe("createCostStep", () => {
  let dir: string;
  let registry: Registry;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-cost-step-"));
    registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  });
  afterEach(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const repositories = [{ name: "acme/api", localPath: ".", stackPath: "stacks/service", target: "local" }];
  const step = (file: object) => {
    const config = configOf(file, dir);
    const findRepository = (name: string) => config.repositories.find((r) => r.name === name);
    return createCostStep({ config, registry, findRepository, log: createRecordingLogger(), now: () => new Date() });
  };

  it("measures hourly by default, nothing with costIntervalSeconds 0, and refuses a negative interval", async () => {
    expect(configOf({ repositories }, dir).costIntervalSeconds).toBe(3600);
    expect(configOf({ repositories }, dir).costExplorer).toBe(false);
    expect(await step({ repositories, costIntervalSeconds: 0 })).toBeUndefined();
    let refused: unknown;
    try {
      configOf({ repositories, costIntervalSeconds: -1 }, dir);
    } catch (err) {
      refused = err;
    }
    expect(isStackforkError(refused, "CONFIG_INVALID")).toBe(true);
  });

  it("with only local repositories, measures with the local copies' counters (no AWS client built)", async () => {
    const env = await registry.ensureEnvironment(
      { kind: "branch", repository: "acme/api", branch: "a" },
      { status: "queued", now: new Date() },
    );
    const measure = await step({ repositories });
    // No counters file yet: due, but nothing measured it, and the step says so without failing.
    expect(await measure?.()).toEqual({ due: 1, measured: 0, failed: [] });
    expect((await registry.getEnvironment(env.id))?.cost).toBeUndefined();
  });
});
