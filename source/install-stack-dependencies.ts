import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { StackforkError } from "../core/errors.ts";

const run = promisify(execFile);

export interface InstallStackDependenciesRequest {
  /** The stack project inside a checkout. */
  stackDir: string;
  /** The checkout's root: gets the platform's node_modules when the stack has no lockfile of its own. */
  checkoutDir: string;
  /** Shared cache: one installed node_modules per lockfile hash. */
  depsDir: string;
  /** The platform's own node_modules. */
  platformNodeModules: string;
  /**
   * Run the install scripts of the lockfile's packages (`preinstall`, `postinstall`...): branch code,
   * so only where the repository opts in (its `installScripts`). @default false: `--ignore-scripts`
   */
  installScripts?: boolean;
  /**
   * Runs npm in the job's isolation (provisioner/sandbox), able to write `writable` only.
   * @default npm run directly (tests; a machine with no sandbox)
   */
  runNpm?: RunNpm;
}

export type RunNpm = (args: string[], options: { cwd: string; writable: string[] }) => Promise<unknown>;

const runNpmDirectly: RunNpm = (args, { cwd }) => run("npm", args, { cwd, maxBuffer: 16 * 1024 * 1024 });

export interface InstalledDependencies {
  nodeModules: string;
  /** `lockfile`: installed (or reused) from the stack's own lockfile; `platform`: the platform's modules. */
  from: "lockfile" | "platform";
  reused: boolean;
}

/**
 * Gives a checkout's stack project its dependencies without paying for them twice: a stack with its
 * own package-lock.json gets `npm ci` once per lockfile hash (offline from npm's cache when it can),
 * shared by every environment with the same lockfile; a stack without one uses the platform's.
 * An install is reused only when the record the platform wrote after it (`<hash>.installed`, out of
 * every job's reach) still matches the tree: a folder that merely exists is a half install or a
 * planted one, and is installed again.
 */
export async function installStackDependencies(
  request: InstallStackDependenciesRequest,
): Promise<InstalledDependencies> {
  const lockfile = path.join(request.stackDir, "package-lock.json");
  if (!existsSync(lockfile)) {
    linkNodeModules(path.join(request.checkoutDir, "node_modules"), request.platformNodeModules);
    return { nodeModules: request.platformNodeModules, from: "platform", reused: true };
  }
  const manifest = path.join(request.stackDir, "package.json");
  const hash = createHash("sha256")
    .update(readFileSync(lockfile))
    .update(readFileSync(manifest))
    .digest("hex")
    .slice(0, 16);
  const target = path.join(request.depsDir, hash);
  const record = `${target}.installed`;
  const reused = existsSync(target) && readRecord(record) === digestTree(target);
  if (reused) {
    // Marks the install as in use now: the sweep (sweep-dependency-installs.ts) leaves recent ones alone.
    const now = new Date();
    utimesSync(target, now, now);
  } else {
    mkdirSync(request.depsDir, { recursive: true });
    // Out of the way in one step: a job of the same lockfile may be finishing its own install now.
    if (existsSync(target)) {
      const stale = `${target}.partial-stale-${process.pid}-${Date.now()}`;
      renameSync(target, stale);
      rmSync(stale, { recursive: true, force: true });
    }
    const scratch = mkdtempSync(`${target}.partial-`);
    try {
      copyFileSync(manifest, path.join(scratch, "package.json"));
      copyFileSync(lockfile, path.join(scratch, "package-lock.json"));
      const scripts = request.installScripts ? [] : ["--ignore-scripts"];
      await (request.runNpm ?? runNpmDirectly)(
        ["ci", ...scripts, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
        { cwd: scratch, writable: [scratch] },
      );
      // The record first: whoever sees the install in place sees it verified.
      writeFileSync(record, digestTree(scratch));
      renameSync(scratch, target);
    } catch (err) {
      rmSync(scratch, { recursive: true, force: true });
      // Another job with the same lockfile finished first: its install serves this one too.
      if (existsSync(target) && readRecord(record) === digestTree(target)) return linkInstall(request, target, false);
      const detail = (err as { stderr?: string }).stderr?.trim().split("\n").slice(-5).join("\n") ?? String(err);
      throw new StackforkError(
        "DEPENDENCIES_FAILED",
        `npm ci of ${path.basename(request.stackDir)} failed:\n${detail}`,
        { cause: err },
      );
    }
  }
  return linkInstall(request, target, reused);
}

function linkInstall(request: InstallStackDependenciesRequest, target: string, reused: boolean): InstalledDependencies {
  const nodeModules = path.join(target, "node_modules");
  linkNodeModules(path.join(request.stackDir, "node_modules"), nodeModules);
  return { nodeModules, from: "lockfile", reused };
}

function readRecord(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * What the install looked like when the platform finished it: every entry's path, type, size, mode
 * and modification time. Cheap next to hashing every byte, and enough: jobs see installs read-only
 * in their sandbox, so what this catches is a half-finished or planted folder, or a change made
 * where no sandbox could be had.
 */
function digestTree(root: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      const stat = lstatSync(file);
      hash.update(`${path.relative(root, file)}\0${stat.mode}\0${stat.size}\0${stat.mtimeMs}\n`);
      if (entry.isDirectory()) walk(file);
    }
  };
  walk(root);
  return hash.digest("hex");
}

function linkNodeModules(link: string, target: string): void {
  try {
    lstatSync(link);
  } catch {
    try {
      symlinkSync(target, link, "dir");
    } catch (err) {
      // Checkouts are shared by SHA: another job may have linked it a moment ago.
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}
