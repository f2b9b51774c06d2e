import type { ConfigMap, Stack } from "@pulumi/pulumi/automation/index.js";

/**
 * Makes the stack's config exactly `config`: a key the template dropped, an override removed or a
 * key marked never-copied since the last deploy must not linger in the copy's settings. Secret
 * values are encrypted by the stack's own secrets provider (`pulumi config set --secret`).
 */
export async function replaceStackConfig(stack: Stack, config: ConfigMap): Promise<void> {
  const stale = Object.keys(await stack.getAllConfig()).filter((key) => !(key in config));
  if (stale.length > 0) await stack.removeAllConfig(stale);
  await stack.setAllConfig(config);
}
