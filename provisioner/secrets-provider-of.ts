/**
 * An `awskms://` provider encrypts each stack's data key under the encryption context
 * `environment=<stack>` (gocloud.dev/secrets/awskms reads `context_<key>=` parameters): the deployer
 * role decrypts under its own environment's context only (aws/deployer-state-statements.ts). A stack
 * keeps the provider its state names, so one created before this keeps its key without a context.
 */
export function secretsProviderOf(provider: string | undefined, environmentName: string): string | undefined {
  if (!provider?.startsWith("awskms://")) return provider;
  const url = new URL(provider);
  url.searchParams.set("context_environment", environmentName);
  return url.toString();
}
