import { existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import path from "node:path";

/**
 * The worker image bakes the Pulumi plugins in (platform/worker.Dockerfile) on a read-only file
 * system; PULUMI_HOME must be writable, so it lives under /tmp and gets a link to each baked plugin
 * folder (`resource-aws-v7.48.0`, ...). Automatic plugin download stays off. Returns what it linked.
 */
export function linkBakedPlugins(bakedDir: string | undefined, pulumiHome: string): string[] {
  if (!bakedDir || !existsSync(bakedDir)) return [];
  const plugins = path.join(pulumiHome, "plugins");
  mkdirSync(plugins, { recursive: true });
  const linked: string[] = [];
  for (const name of readdirSync(bakedDir)) {
    const link = path.join(plugins, name);
    if (!existsSync(link)) symlinkSync(path.join(bakedDir, name), link);
    linked.push(name);
  }
  return linked;
}
