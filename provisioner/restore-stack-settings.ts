import type { Stack, StackSettings } from "@pulumi/pulumi/automation/index.js";

/** How a stack's state records the secrets manager it was last written with. */
type SecretsProviders =
  | { type: "passphrase"; state?: { salt?: string } }
  | { type: "cloud"; state?: { url?: string; encryptedkey?: string } }
  | { type: string; state?: unknown };

/**
 * DESIGN.md, "Stack settings must survive a fresh /tmp": a stack selected from a new work dir
 * (Lambda's /tmp at a cold start) has no `Pulumi.<stack>.yaml`, and the CLI then falls back to the
 * passphrase provider with a new salt. Secrets set from there on are encrypted with a key no other
 * run has; an `awskms://` stack's next update silently turns it into a passphrase stack. The state
 * keeps the provider and key it was written with (`secrets_providers`): copy them into the settings
 * before anything encrypts. Returns what it did.
 */
export async function restoreStackSettings(
  stack: Stack,
  configuredProvider: string,
): Promise<"kept" | "restored" | "configured"> {
  const settings = await stack.workspace.stackSettings(stack.name).catch((): StackSettings => ({}));
  if (settings.secretsProvider || settings.encryptedKey || settings.encryptionSalt) return "kept";

  const { deployment } = await stack.exportStack();
  const fromState = toStackSettings((deployment as { secrets_providers?: SecretsProviders })?.secrets_providers);
  if (fromState) {
    await stack.workspace.saveStackSettings(stack.name, { ...settings, ...fromState });
    return "restored";
  }
  // Never updated (its settings were lost between `stack init` and the first update): nothing is
  // encrypted yet. A cloud provider named here gets a new data key from the CLI; the passphrase
  // provider, the CLI's default, a new salt.
  if (configuredProvider !== "passphrase") {
    await stack.workspace.saveStackSettings(stack.name, { ...settings, secretsProvider: configuredProvider });
  }
  return "configured";
}

function toStackSettings(providers: SecretsProviders | undefined): StackSettings | undefined {
  if (providers?.type === "passphrase") {
    const { salt } = (providers.state ?? {}) as { salt?: string };
    return salt ? { encryptionSalt: salt } : undefined;
  }
  if (providers?.type === "cloud") {
    const { url, encryptedkey } = (providers.state ?? {}) as { url?: string; encryptedkey?: string };
    return url && encryptedkey ? { secretsProvider: url, encryptedKey: encryptedkey } : undefined;
  }
  return undefined;
}
