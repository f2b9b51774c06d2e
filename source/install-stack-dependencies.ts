import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
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
}

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
  const reused = existsSync(target);
  // Marks the install as in use now: the sweep (sweep-dependency-installs.ts) leaves recent ones alone.
  if (reused) {
    const now = new Date();
    utimesSync(target, now, now);
  }
  if (!reused) {
    mkdirSync(request.depsDir, { recursive: true });
    const scratch = mkdtempSync(`${target}.partial-`);
    try {
      copyFileSync(manifest, path.join(scratch, "package.json"));
      copyFileSync(lockfile, path.join(scratch, "package-lock.json"));
      await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: scratch,
        maxBuffer: 16 * 1024 * 1024,
      });
      renameSync(scratch, target);
    } catch (err) {
      rmSync(scratch, { recursive: true, force: true });
      if (!existsSync(target)) {
        const detail = (err as { stderr?: string }).stderr?.trim().split("\n").slice(-5).join("\n") ?? String(err);
        throw new StackforkError(
          "DEPENDENCIES_FAILED",
          `npm ci of ${path.basename(request.stackDir)} failed:\n${detail}`,
          { cause: err },
        );
      }
    }
  }
  const nodeModules = path.join(target, "node_modules");
  linkNodeModules(path.join(request.stackDir, "node_modules"), nodeModules);
  return { nodeModules, from: "lockfile", reused };
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
