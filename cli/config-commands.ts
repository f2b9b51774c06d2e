import type { StackforkConfig } from "../core/config.ts";
import type { ConfigEntry } from "../core/config-entry.ts";
import type { Environment } from "../core/environment.ts";
import {
  type Command,
  EXIT,
  type Parsed,
  readToken,
  requirePositional,
  requireToken,
  UsageError,
  wait,
} from "./command-line.ts";
import { createProgress } from "./create-progress.ts";
import { followJob } from "./follow-job.ts";
import { requestApi } from "./request-api.ts";

/** `stackfork config set|ls` and `stackfork reseed`: a copy's config and data (issue 19). */
export const configCommands: Record<string, Command> = {
  "config set": {
    help: `stackfork config set <env> key=value [--secret] [--no-wait]
  Sets one of <env>'s own config values (above the template, the platform's overrides and the
  branch's .stackfork/config.json) and waits for the redeploy it starts; prints the preview URL.
  A key without a namespace is the project's own (memorySize -> <project>:memorySize).
    --secret   store and show it masked; the copy's state holds it encrypted`,
    options: { ...wait, secret: { type: "boolean" } },
    async run(args, config) {
      const [environmentId, assignment, ...extra] = args.positionals;
      if (!environmentId) throw new UsageError("<env> is missing");
      if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(" ")}`);
      const at = assignment?.indexOf("=") ?? -1;
      if (!assignment || at <= 0) throw new UsageError("give key=value");
      const body = {
        key: assignment.slice(0, at),
        value: assignment.slice(at + 1),
        secret: args.values.secret === true,
      };
      return changeAndFollow(args, config, environmentId, "config", { method: "PUT", body });
    },
  },
  "config ls": {
    help: `stackfork config ls <env> [--json]
  <env>'s config: each key, its value (secrets masked) and where it came from (template, platform,
  repository, environment).`,
    options: { json: { type: "boolean" } },
    async run(args, config) {
      const environmentId = requirePositional(args, "env");
      const { config: entries } = await requestApi<{ config: ConfigEntry[] }>(
        config.serverUrl,
        `/api/environments/${encodeURIComponent(environmentId)}/config`,
        { token: readToken(config) },
      );
      if (args.values.json) console.log(JSON.stringify(entries, null, 2));
      else console.log(formatConfigTable(entries));
      return EXIT.ok;
    },
  },
  reseed: {
    help: `stackfork reseed <env> [--no-wait]
  Runs the repository's seed step against <env> again (with a redeploy of its commit) and waits;
  prints the preview URL.`,
    options: { ...wait },
    run: (args, config) => changeAndFollow(args, config, requirePositional(args, "env"), "reseed", { method: "POST" }),
  },
};

async function changeAndFollow(
  args: Parsed,
  config: StackforkConfig,
  environmentId: string,
  route: "config" | "reseed",
  request: { method: "PUT" | "POST"; body?: unknown },
): Promise<number> {
  const token = requireToken(config);
  const progress = createProgress();
  progress.update(`${route} ${environmentId}`);
  const answer = await requestApi<Environment & { jobId?: string; ignored?: string }>(
    config.serverUrl,
    `/api/environments/${encodeURIComponent(environmentId)}/${route}`,
    { ...request, token },
  );
  if (!answer.jobId || args.values["no-wait"] === true) {
    progress.done();
    if (answer.ignored) console.error(`${answer.name}: nothing queued (${answer.ignored})`);
    console.log(answer.name);
    return EXIT.ok;
  }
  return followJob({ serverUrl: config.serverUrl, token, environmentId: answer.id, jobId: answer.jobId, progress });
}

/** `key  value  source`, aligned. */
export function formatConfigTable(entries: readonly ConfigEntry[]): string {
  if (entries.length === 0) return "(no config from a template or overrides)";
  const rows = [["KEY", "VALUE", "SOURCE"], ...entries.map((e) => [e.key, e.value, e.source])];
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  return rows
    .map(
      ([key = "", value = "", source = ""]) =>
        `${key.padEnd(widths[0] ?? 0)}  ${value.padEnd(widths[1] ?? 0)}  ${source}`,
    )
    .join("\n");
}
