import * as z from "zod";
import { configValuesSchema } from "../../core/copy-config-schema.ts";
import { StackforkError } from "../../core/errors.ts";
import { readBranchFile } from "./read-branch-file.ts";

/** Where a branch keeps its own config for its copies, from the repository's root. */
export const REPOSITORY_CONFIG_FILE = ".stackfork/config.json";

const fileSchema = z.object({ config: configValuesSchema.default({}) }).passthrough();

/**
 * The branch's own config for its copies (`.stackfork/config.json`: `{ "config": { key: value } }`),
 * above the platform's overrides and below the environment's. Plain values only: the file is in the
 * branch, readable by anyone who can read the repository. None when the file is absent.
 */
export function readRepositoryConfigFile(checkoutDir: string): Record<string, string> {
  const text = readBranchFile(checkoutDir, REPOSITORY_CONFIG_FILE, 1024 * 1024);
  if (text === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid("is not JSON");
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data.config;
}

function invalid(problem: string): StackforkError {
  return new StackforkError("COPY_CONFIG_UNAVAILABLE", `${REPOSITORY_CONFIG_FILE} ${problem}`);
}
