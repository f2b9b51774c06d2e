import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { GitHubApiDouble } from "./github-api-double.ts";

/**
 * A person signs in on the dashboard at `baseUrl` through the GitHub double's web flow, as they
 * would: the login page's button, GitHub's consent (already given as `login`), back to the list.
 */
export async function signInInBrowser(page: Page, baseUrl: string, github: GitHubApiDouble, login: string) {
  github.signInAs(login);
  await page.goto(`${baseUrl}/login`);
  await page.getByRole("link", { name: "Sign in with GitHub" }).click();
  await page.waitForURL(`${baseUrl}/`);
  await expect.poll(() => page.locator("#signed-in-as").textContent()).toContain(login);
}

/** `stackfork login` as a person runs it: the code read off the terminal is approved on GitHub as `login`. */
export async function approveNextDeviceCode(github: GitHubApiDouble, login: string) {
  await expect.poll(() => github.pendingUserCodes().length, { timeout: 30_000 }).toBe(1);
  github.approveDevice(github.pendingUserCodes()[0] as string, login);
}
