import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
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

describe("installStackDependencies and install scripts", () => {
  const fixture = path.resolve(import.meta.dirname, "../test/fixtures/stack-with-lockfile");

  it("runs npm ci with --ignore-scripts unless the repository opts in, through the runner it is given", async () => {
    const work = mkdtempSync(path.join(tmpdir(), "stackfork-scripts-"));
    try {
      const calls: string[][] = [];
      const request = (name: string, installScripts?: boolean) => {
        const stackDir = path.join(work, name, "stacks/service");
        cpSync(fixture, stackDir, { recursive: true });
        return {
          stackDir,
          checkoutDir: path.join(work, name),
          depsDir: path.join(work, `deps-${name}`),
          platformNodeModules,
          installScripts,
          // Stands for the sandboxed npm: records the call and installs nothing.
          runNpm: async (args: string[]) => calls.push(args),
        };
      };
      await installStackDependencies(request("default"));
      await installStackDependencies(request("opted-in", true));
      expect(calls[0]).toContain("--ignore-scripts");
      expect(calls[1]).not.toContain("--ignore-scripts");
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("installStackDependencies and a planted install", () => {
  it("installs again over a folder it did not finish (no record, or a changed tree), and reuses a verified one", async () => {
    const work = mkdtempSync(path.join(tmpdir(), "stackfork-planted-"));
    try {
      const fixture = path.resolve(import.meta.dirname, "../test/fixtures/stack-with-lockfile");
      let installs = 0;
      const request = (name: string) => {
        const stackDir = path.join(work, name, "stacks/service");
        cpSync(fixture, stackDir, { recursive: true });
        return {
          stackDir,
          checkoutDir: path.join(work, name),
          depsDir: path.join(work, "deps"),
          platformNodeModules,
          runNpm: async (_args: string[], { cwd }: { cwd: string }) => {
            installs++;
            mkdirSync(path.join(cwd, "node_modules", "ms"), { recursive: true });
          },
        };
      };
      const first = await installStackDependencies(request("a"));
      expect(first.reused).toBe(false);
      expect((await installStackDependencies(request("b"))).reused).toBe(true);
      // A job (where no sandbox could be had) plants a module in the shared install.
      writeFileSync(path.join(first.nodeModules, "ms", "index.js"), "module.exports = 'planted'");
      expect((await installStackDependencies(request("c"))).reused).toBe(false);
      expect(installs).toBe(2);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
