import type { ParseArgsConfig } from "node:util";
import type { StackforkConfig } from "../core/config.ts";
import { StackforkError } from "../core/errors.ts";
import { readCredentials } from "./read-credentials.ts";
import { readSecret } from "./read-secret.ts";

/** Exit codes scripts can rely on (README "CLI"). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export type Options = NonNullable<ParseArgsConfig["options"]>;
export type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

export interface Command {
  help: string;
  options: Options;
  run(args: Parsed, config: StackforkConfig): Promise<number>;
}

/** A mistake in the command line: printed with the command's help, exit 2. */
export class UsageError extends Error {}

export const wait = { "no-wait": { type: "boolean" } } as const;
export const owner = { owner: { type: "string" }, repository: { type: "string" } } as const;

/**
 * Reads send the token when there is one: the server may be off loopback. STACKFORK_API_TOKEN when
 * set (scripts, CI), else the person's from `stackfork login`, else the server's file in the data dir.
 */
export function readToken(config: StackforkConfig): string | undefined {
  return (
    config.secrets.apiToken ??
    readCredentials(config.credentialsFile, config.serverUrl)?.token ??
    readSecret(config.dataDir, "api-token", undefined)
  );
}

export function requireToken(config: StackforkConfig): string {
  const token = readToken(config);
  if (!token) {
    throw new StackforkError(
      "UNAUTHORIZED",
      `no API token: run stackfork login, set STACKFORK_API_TOKEN, or STACKFORK_DATA_DIR to the server's data dir (${config.dataDir}/secrets/api-token)`,
    );
  }
  return token;
}

export function requirePositional(args: Parsed, name: string): string {
  const [value, ...extra] = args.positionals;
  if (!value) throw new UsageError(`<${name}> is missing`);
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(" ")}`);
  return value;
}

export function requireOption(args: Parsed, name: string): string {
  const value = args.values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}
