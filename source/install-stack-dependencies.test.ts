import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installStackDependencies } from "./install-stack-dependencies.ts";

const fixture = path.resolve(import.meta.dirname, "../test/fixtures/stack-with-lockfile");
const platformNodeModules = path.resolve(import.meta.dirname, "../node_modules");

describe("installStackDependencies", () => {
  let work: string;
  const checkout = (name: string, withLockfile: boolean) => {
    const checkoutDir = path.join(work, name);
    const stackDir = path.join(checkoutDir, "stacks/service");
    if (withLockfile) cpSync(fixture, stackDir, { recursive: true });
    else mkdirSync(stackDir, { recursive: true });
    return { checkoutDir, stackDir, depsDir: path.join(work, "deps"), platformNodeModules };
  };

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-deps-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("installs a stack's own lockfile once, and the next checkout with the same lockfile reuses it", async () => {
    const first = checkout("sha-1", true);
    const installed = await installStackDependencies(first);
    expect(installed).toMatchObject({ from: "lockfile", reused: false });
    const resolved = createRequire(path.join(first.stackDir, "index.js")).resolve("ms");
    expect(realpathSync(resolved).startsWith(realpathSync(installed.nodeModules))).toBe(true);

    const second = checkout("sha-2", true);
    const again = await installStackDependencies(second);
    expect(again).toEqual({ ...installed, reused: true });
    expect(createRequire(path.join(second.stackDir, "index.js")).resolve("ms")).toBeTruthy();
  });

  it("gives a stack without a lockfile the platform's modules", async () => {
    const bare = checkout("sha-3", false);
    const installed = await installStackDependencies(bare);
    expect(installed).toMatchObject({ from: "platform", nodeModules: platformNodeModules });
    expect(createRequire(path.join(bare.stackDir, "index.js")).resolve("@pulumi/pulumi")).toBeTruthy();
  });
});
