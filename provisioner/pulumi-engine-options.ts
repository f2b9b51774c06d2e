import type { PulumiCli } from "./pulumi-cli.ts";

/** How every stack of the platform is run: the CLI, where state and settings live, the secrets provider. */
export interface PulumiEngineOptions {
  cli: PulumiCli;
  /**
   * Holds PULUMI_HOME, each stack's workspace (settings + salt) and, by default, the `file://`
   * backend. It may be temporary (Lambda's /tmp): a stack's settings are restored from its state.
   */
  stateDir: string;
  /** Passphrase for the passphrase secrets provider (a runner gets its stack's own: stack-paths.ts). */
  passphrase: string;
  /**
   * The engine's home (plugins, the selected stack). A sandboxed job has a private one.
   * @default `<stateDir>/home`
   */
  pulumiHome?: string;
  /** The PATH the engine's plugins run with; the CLI's own directory is put first. */
  searchPath: string;
  /**
   * The backend of every environment's stack (`STACKFORK_STATE_URL`). For `s3://` the engine takes
   * AWS credentials from this process's environment (the SDK's standard chain), and the region and
   * endpoint from the URL's query (Go CDK's parameters, https://gocloud.dev/howto/blob/#s3).
   * @default `file://<stateDir>/backend`
   * @example "s3://stackfork-state?region=eu-west-1"
   * @example "s3://state?region=us-east-1&endpoint=http%3A%2F%2F127.0.0.1%3A5000&s3ForcePathStyle=true"
   */
  backendUrl?: string;
  /**
   * The secrets provider new stacks are created with (`STACKFORK_SECRETS_PROVIDER`); an existing
   * stack keeps the one its state names.
   * @default "passphrase"
   * @example "awskms://alias/stackfork?region=eu-west-1"
   */
  secretsProvider?: string;
}
