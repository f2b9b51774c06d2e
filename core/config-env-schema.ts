import * as z from "zod";

/** The environment variables stackfork reads, all in one place (core/config.ts loads them once). */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("127.0.0.1"),
  STACKFORK_DATA_DIR: z.string().min(1).default("./.stackfork"),
  STACKFORK_CONFIG: z.string().min(1).optional(),
  GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
  STACKFORK_API_TOKEN: z.string().min(1).optional(),
  PULUMI_CONFIG_PASSPHRASE: z.string().min(1).optional(),
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_APP_ID: z.string().regex(/^\d+$/, "must be the App's numeric id").optional(),
  /** PEM text; a literal `\n` (how PEMs travel in env files) becomes a newline. */
  GITHUB_APP_PRIVATE_KEY: z.string().min(1).optional(),
  /** GitHub Enterprise: https://<host>/api/v3. @default https://api.github.com */
  GITHUB_API_URL: z.string().url().optional(),
  /** Sign-in with GitHub: an OAuth App's client, or the GitHub App's own (issue 22). */
  GITHUB_OAUTH_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where browsers and the device flow go (GitHub Enterprise: https://<host>). @default https://github.com */
  GITHUB_WEB_URL: z.string().url().default("https://github.com"),
  /** Where `stackfork login` keeps its token. @default <XDG_CONFIG_HOME or ~/.config>/stackfork/credentials.json */
  STACKFORK_CREDENTIALS: z.string().min(1).optional(),
  /** Where people reach this server's dashboard: links in PR comments and deployments. */
  STACKFORK_PUBLIC_URL: z.string().url().optional(),
  PATH: z.string().default(""),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Where the CLI finds a running server. @default http://HOST:PORT */
  STACKFORK_URL: z.string().url().optional(),
  /** Where the registry and the job queue live: `sqlite` files in the data dir, or DynamoDB + SQS. */
  STACKFORK_STORE: z.enum(["sqlite", "aws"]).default("sqlite"),
  /** Prefix of the DynamoDB tables and SQS queues (aws/aws-resources.ts). */
  STACKFORK_AWS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,40}$/, "must be 1-40 letters, digits, - or _")
    .default("stackfork"),
  /** Pulumi backend of the environments' stacks. @default file://<data dir>/pulumi/backend */
  STACKFORK_STATE_URL: z
    .string()
    .regex(/^(file|s3):\/\/\S+$/, "must be a file:// or s3:// URL")
    .optional(),
  /** Pulumi secrets provider of the environments' stacks. */
  STACKFORK_SECRETS_PROVIDER: z
    .string()
    .regex(/^(passphrase|awskms:\/\/\S+)$/, "must be passphrase or an awskms:// URL")
    .default("passphrase"),
  /**
   * The runner's isolation: `auto` uses Linux namespaces where they can be had (and says so when
   * not); `off` runs branch code with the allow-listed environment only.
   */
  STACKFORK_SANDBOX: z.enum(["auto", "off"]).default("auto"),
  /** util-linux's `unshare`, which makes the sandbox's namespaces. @default unshare (on PATH) */
  STACKFORK_UNSHARE: z.string().min(1).default("unshare"),
  /** When stackfork runs as root, the uid branch code runs as. */
  STACKFORK_SANDBOX_UID: z.coerce.number().int().min(1).max(4_294_967_294).default(61_000),
  /** The role each job assumes for its AWS work (per-job credentials, tagged with the environment). */
  STACKFORK_DEPLOYER_ROLE_ARN: z.string().startsWith("arn:").optional(),
  /** The permissions boundary every role a copy creates must carry (`stackfork:permissionsBoundary`). */
  STACKFORK_PERMISSIONS_BOUNDARY_ARN: z.string().startsWith("arn:").optional(),
  /**
   * `true`: with no deployer role, hand the platform's own AWS credentials to branch code. Every
   * branch author can then do what stackfork can: only for a trusted setup; logged at start.
   */
  STACKFORK_SHARE_PLATFORM_CREDENTIALS: z.enum(["true", "false"]).default("false"),
  /** The config file's JSON itself, instead of a file (a Lambda function's environment). */
  STACKFORK_CONFIG_JSON: z.string().min(2).optional(),
  /** Secrets Manager ARNs, read once per cold start; each wins over its plain variable. */
  GITHUB_WEBHOOK_SECRET_ARN: z.string().startsWith("arn:").optional(),
  STACKFORK_API_TOKEN_ARN: z.string().startsWith("arn:").optional(),
  GITHUB_TOKEN_ARN: z.string().startsWith("arn:").optional(),
  GITHUB_APP_PRIVATE_KEY_ARN: z.string().startsWith("arn:").optional(),
  GITHUB_OAUTH_CLIENT_SECRET_ARN: z.string().startsWith("arn:").optional(),
});
