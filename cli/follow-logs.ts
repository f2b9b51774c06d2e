import type { EnvironmentStatus } from "../core/environment.ts";
import type { LogLine } from "../registry/registry.ts";
import { requestApi } from "./request-api.ts";

const settled: readonly EnvironmentStatus[] = ["ready", "failed", "destroyed", "awaiting_approval"];

/** `stackfork logs <env> [--follow]`: the engine log, polled until the environment settles. */
export async function followLogs(
  serverUrl: string,
  environment: string,
  options: { follow: boolean; token?: string },
): Promise<number> {
  let after = 0;
  for (;;) {
    const query = new URLSearchParams({ after: String(after) });
    const page = await requestApi<{ lines: LogLine[]; status: EnvironmentStatus }>(
      serverUrl,
      `/api/environments/${encodeURIComponent(environment)}/logs?${query}`,
      { token: options.token },
    );
    for (const line of page.lines) console.log(line.text);
    after = page.lines.at(-1)?.seq ?? after;
    if (!options.follow || (page.lines.length === 0 && settled.includes(page.status))) {
      return page.status === "failed" ? 1 : 0;
    }
    if (page.lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
