import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's package (`apt-get install chromium`, .ci/run): playwright's own browser download cannot work here. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * A real headless Chromium with a new temporary profile, driven by playwright-core. Close the
 * returned context with `close()`, which also removes the profile.
 */
export async function launchChromium(viewport = { width: 1280, height: 900 }) {
  const profile = mkdtempSync(path.join(tmpdir(), "stackfork-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
