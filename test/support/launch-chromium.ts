import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import packagedChromium from "@sparticuz/chromium";
import { type BrowserContext, chromium } from "playwright-core";

/** A system Chromium (Debian's `chromium`) is used when present; otherwise the one npm installed. */
const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/**
 * The browser the tests drive. `@sparticuz/chromium` ships a headless Chromium inside the npm
 * package (playwright's own browser download cannot work here); its first use unpacks it into the
 * temp dir (~2 s), later ones find it there.
 */
export async function resolveChromium(): Promise<{ executablePath: string; args: string[] }> {
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, args: [] };
  // Of the package's Lambda flags, only those its build needs to start: not the ones that change
  // what a page may do (--disable-web-security and the like), which the dashboard tests rely on.
  const needed = packagedChromium.args.filter((arg) =>
    /^--(no-zygote|single-process|use-gl=|use-angle=|enable-unsafe-swiftshader|in-process-gpu|font-render-hinting=)/.test(
      arg,
    ),
  );
  return { executablePath: await packagedChromium.executablePath(), args: needed };
}

/**
 * A real headless Chromium with a new temporary profile, driven by playwright-core. Close the
 * returned context with `close()`, which also removes the profile.
 */
export async function launchChromium(viewport = { width: 1280, height: 900 }) {
  const profile = mkdtempSync(path.join(tmpdir(), "stackfork-chromium-"));
  const browser = await resolveChromium();
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: browser.executablePath,
    headless: true,
    viewport,
    args: [
      ...browser.args,
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
