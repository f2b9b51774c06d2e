import { statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { listSubfolders } from "./list-folder.ts";

export interface SourceTreeSweep {
  /** Extracted commits: `<sourcesDir>/<repository slug>/<sha>`. */
  sourcesDir: string;
  /** Uploaded working trees: `<uploadsDir>/<upload id>`. */
  uploadsDir: string;
  /**
   * Every stack's state, as text. A deployed stack names files of the tree it was deployed from (a
   * local copy's entry point, which its running process executes): such a tree is kept while the
   * stack exists.
   */
  stateTexts: Iterable<string>;
  /** Commits (full or short SHAs) and upload ids that a live environment or a queued job may deploy. */
  inUse: ReadonlySet<string>;
  /** Trees used (extracted or read) more recently than this are left alone: a job may be reading them. */
  minAgeMs: number;
  now: Date;
}

/**
 * Removes the source trees nothing needs any more, so that a long-running server does not keep one
 * full copy of the repository per push forever, and the half-extracted leftovers of a crash. Kept: a
 * tree named by any stack's state, a commit or upload a live environment or queued job may deploy
 * (an upload cannot be read again from anywhere; a commit could, but redeploys should not wait for
 * it), and anything used recently (the source reader marks a tree each time it hands it out).
 * Returns the trees removed and the trees kept.
 */
export async function sweepSourceTrees(sweep: SourceTreeSweep): Promise<{ removed: string[]; kept: string[] }> {
  const stateTexts = [...sweep.stateTexts];
  const named = (dir: string) => stateTexts.some((text) => text.includes(`${dir}${path.sep}`));
  // A queued job may name its commit by a short SHA: it keeps every tree its prefix matches.
  const shortShas = [...sweep.inUse].filter((id) => id.length < 40 && /^[0-9a-f]+$/.test(id));
  const inUse = (name: string) => sweep.inUse.has(name) || shortShas.some((sha) => name.startsWith(sha));
  const oldEnough = (dir: string) => sweep.now.getTime() - statSync(dir).mtimeMs >= sweep.minAgeMs;

  const candidates: [dir: string, name: string][] = [];
  for (const repository of listSubfolders(sweep.sourcesDir)) {
    const repositoryDir = path.join(sweep.sourcesDir, repository);
    for (const name of listSubfolders(repositoryDir)) candidates.push([path.join(repositoryDir, name), name]);
  }
  for (const name of listSubfolders(sweep.uploadsDir)) candidates.push([path.join(sweep.uploadsDir, name), name]);

  const removed: string[] = [];
  const kept: string[] = [];
  for (const [dir, name] of candidates) {
    const leftover = name.includes(".partial-");
    if (!oldEnough(dir) || (!leftover && (inUse(name) || named(dir)))) {
      kept.push(dir);
      continue;
    }
    // Asynchronous: a big tree must not hold up the event loop (webhooks, the dashboard).
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return { removed, kept };
}
