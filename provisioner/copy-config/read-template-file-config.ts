import { parse as parseYaml } from "yaml";
import { StackforkError } from "../../core/errors.ts";
import { readBranchFile } from "./read-branch-file.ts";

/** A stack config file is a few kilobytes; a branch's file far larger is not one. */
const MAX_BYTES = 1024 * 1024;

export interface TemplateFileConfig {
  /** The stack the file is for (`Pulumi.prod.yaml` -> `prod`): its `secure:` values are that stack's. */
  stackName: string;
  /** Plain values, keys as written (`service:memorySize`, `aws:region`). */
  plain: Record<string, string>;
  /** Keys whose value is `secure:` (encrypted for the template stack, not for the copy). */
  secureKeys: string[];
}

/**
 * Reads `Pulumi.<stack>.yaml` from the branch's stack project (it is branch content: parsed as data,
 * size-capped), so a pull request previews its own config changes, keys it adds included. Its
 * `secure:` values are ciphertext of the template stack's key: they are named, not used here.
 */
export function readTemplateFileConfig(checkoutDir: string, stackPath: string, file: string): TemplateFileConfig {
  const stackName = file.replace(/^Pulumi\./, "").replace(/\.ya?ml$/, "");
  const text = readBranchFile(checkoutDir, `${stackPath}/${file}`, MAX_BYTES);
  if (text === undefined)
    throw new StackforkError("COPY_CONFIG_UNAVAILABLE", `${file} is not in the branch's stack project`);
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new StackforkError("COPY_CONFIG_UNAVAILABLE", `${file} is not valid YAML`, { cause: err });
  }
  const block = (parsed as { config?: unknown } | null)?.config;
  const plain: Record<string, string> = {};
  const secureKeys: string[] = [];
  if (block && typeof block === "object") {
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      if (value && typeof value === "object" && "secure" in value) secureKeys.push(key);
      else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        plain[key] = String(value);
      // Structured values (lists, objects) are left to the project: `pulumi config set --path` territory.
    }
  }
  return { stackName, plain, secureKeys };
}
