import { chmodSync, lchownSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Sandbox } from "./sandbox.ts";

/**
 * Creates the paths a job may write and, where the job runs as a uid of its own, gives them to it
 * (all the way down: files an earlier job or version wrote belong to someone else).
 */
export function grantWritablePaths(sandbox: Sandbox, paths: string[]): void {
  for (const dir of paths) {
    mkdirSync(dir, { recursive: true });
    if (sandbox.kind === "own-uid" && sandbox.uid !== undefined) chownTree(dir, sandbox.uid);
  }
}

function chownTree(target: string, uid: number): void {
  const stat = lstatSync(target);
  if (stat.uid !== uid || stat.gid !== uid) lchownSync(target, uid, uid);
  if (!stat.isDirectory()) return;
  for (const name of readdirSync(target)) chownTree(path.join(target, name), uid);
}

/**
 * Lets a job of its own uid into the trees it reads (a checkout, a dependency install): they are
 * made in private temporary folders (mode 700) and renamed into place, so their top is closed to
 * others. Their content keeps the modes it was extracted with.
 */
export function grantReadablePaths(sandbox: Sandbox, paths: string[]): void {
  if (sandbox.kind !== "own-uid") return;
  for (const dir of paths) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o005) !== 0o005) chmodSync(dir, mode | 0o055);
  }
}
