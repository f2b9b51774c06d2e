import { cpus } from "node:os";
import path from "node:path";
import type * as z from "zod";
import { findCloudFormationTargetProblem } from "./cloudformation-config.ts";
import { envSchema } from "./config-env-schema.ts";
import { configFileSchema } from "./config-file-schema.ts";
import { StackforkError } from "./errors.ts";
import { pickRunnerEnvironment } from "./pick-runner-environment.ts";
import { type RepositoryConfig, repositorySchema } from "./repository-config.ts";

export interface StackforkConfig {
  port: number;
  host: string;
  dataDir: string;
  /** The config file that was read, if any. */
  configFile?: string;
  repositories: readonly RepositoryConfig[];
  nameMaxLength: number;
  concurrency: number;
  leaseSeconds: number;
  maxAttempts: number;
  shutdownGraceSeconds: number;
  reapIntervalSeconds: number;
  /** 0: reconciliation with GitHub only on demand. */
  reconcileIntervalSeconds: number;
  redeliveriesPerRun: number;
  /** 0: costs are not measured. */
  costIntervalSeconds: number;
  /** Read Cost Explorer beside the measured figures. */
  costExplorer: boolean;
  warmRunners: number;
  /** Reads need no token even off loopback. */
  publicReads: boolean;
  /** A job taken over from an expired lease waits this long past its expiry. */
  takeoverGraceSeconds: number;
  /** Host names open reads are served under, besides loopback and the bind host. */
  allowedHosts: readonly string[];
  /** Believe X-Forwarded-Proto / X-Forwarded-Host. */
  trustProxy: boolean;
  /** `org/team-slug`: the platform's admins among people signed in with GitHub. */
  adminTeam?: string;
  /** Previews are `<environment>.<previewDomain>`. */
  previewDomain: string;
  /** The router's own port; undefined: the server's. */
  previewPort?: number;
  /** Live sandboxes per owner across repositories; undefined: one per repository, no other limit. */
  sandboxesPerOwner?: number;
  uploadMaxBytes: number;
  /** Set when given in the environment; otherwise generated and kept in the data dir at start. */
  secrets: { webhookSecret?: string; apiToken?: string; pulumiPassphrase?: string };
  /** Talk to GitHub (notifications, source, permission checks); absent: offline. */
  github?: {
    auth: { token: string } | { appId: string; privateKey: string };
    apiUrl?: string;
  };
  /**
   * Sign-in with GitHub (web flow and device flow); absent: only the API token's login. The secret
   * is absent when it comes from Secrets Manager (`secretArns.githubOAuthClientSecret`).
   */
  signIn?: { clientId: string; clientSecret?: string; webUrl: string };
  /** The file `stackfork login` keeps the person's token in (mode 600). */
  credentialsFile: string;
  /** This server's dashboard as people reach it, for links on GitHub. */
  publicUrl?: string;
  /** The PATH the engine and its plugins run with. */
  searchPath: string;
  logLevel: string;
  /** Where the CLI finds a running server. */
  serverUrl: string;
  /** `sqlite` (embedded) or `aws` (DynamoDB registry, DynamoDB + SQS FIFO queue). */
  store: "sqlite" | "aws";
  /** Prefix of the tables and queues when `store` is `aws` (also read by `stackfork aws bootstrap`). */
  awsPrefix: string;
  /** The environments' Pulumi backend; undefined: the file backend in the data dir. */
  stateUrl?: string;
  /** `passphrase` or `awskms://...`. */
  secretsProvider: string;
  /** Secrets Manager ARNs given in the environment (Lambda), read at start by the entry point. */
  secretArns: {
    webhookSecret?: string;
    apiToken?: string;
    githubToken?: string;
    githubAppPrivateKey?: string;
    githubOAuthClientSecret?: string;
  };
  /** GITHUB_APP_ID, kept for an App whose key comes from Secrets Manager. */
  githubAppId?: string;
  /**
   * What locating the pulumi CLI reads (`PULUMI_CLI`, `PATH`, the cache's `STACKFORK_CACHE_DIR` /
   * `XDG_CACHE_HOME`), and the worker image's baked plugins: picked here, the one reader of the
   * process environment.
   */
  toolEnv: Readonly<Record<string, string | undefined>>;
  /** `AWS_ENDPOINT_URL`, for messages (`stackfork aws bootstrap` says where it creates things). */
  awsEndpoint?: string;
  /** The runner's isolation (provisioner/sandbox). */
  sandbox: { mode: "auto" | "off"; unshare: string; uid: number };
  /** What branch code sees of this process's environment: an allow-list (core/pick-runner-environment.ts). */
  runnerEnv: Readonly<Record<string, string>>;
  /** Per-job AWS credentials: the role to assume, the boundary copies' roles carry, or the explicit opt-out. */
  deployer: { roleArn?: string; permissionsBoundaryArn?: string; sharePlatformCredentials: boolean };
}

export interface LoadConfigOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Reads the config file; undefined when it does not exist. */
  readFile: (file: string) => string | undefined;
}

/**
 * Loads the configuration once per entry point, from `env` and the config file
 * (`STACKFORK_CONFIG`, else `./stackfork.config.json` when present). Every problem is reported in one
 * CONFIG_INVALID error; the result is frozen.
 */
export function loadConfig({ env, cwd, readFile }: LoadConfigOptions): StackforkConfig {
  const problems: string[] = [];
  const parsedEnv = envSchema.safeParse(env);
  if (!parsedEnv.success) problems.push(...formatIssues(parsedEnv.error, "env "));

  const configFile = path.resolve(cwd, env.STACKFORK_CONFIG ?? "stackfork.config.json");
  const text = env.STACKFORK_CONFIG_JSON ?? readFile(configFile);
  if (text === undefined && env.STACKFORK_CONFIG && !env.STACKFORK_CONFIG_JSON)
    problems.push(`STACKFORK_CONFIG: ${configFile} does not exist`);
  let fileValue: unknown = {};
  if (text !== undefined) {
    try {
      fileValue = JSON.parse(text);
    } catch (err) {
      problems.push(`${configFile}: not JSON (${(err as Error).message})`);
    }
  }
  const parsedFile = configFileSchema.safeParse(fileValue);
  if (!parsedFile.success) problems.push(...formatIssues(parsedFile.error, `${path.basename(configFile)} `));

  if (parsedFile.success) {
    const seen = new Set<string>();
    for (const repo of parsedFile.data.repositories) {
      if (seen.has(repo.name.toLowerCase())) problems.push(`repositories: ${repo.name} is listed twice`);
      seen.add(repo.name.toLowerCase());
      const targetProblem = findCloudFormationTargetProblem(repo, env.AWS_ENDPOINT_URL);
      if (targetProblem) problems.push(targetProblem);
    }
  }
  const appKey =
    parsedEnv.success && (parsedEnv.data.GITHUB_APP_PRIVATE_KEY || parsedEnv.data.GITHUB_APP_PRIVATE_KEY_ARN);
  if (parsedEnv.success && Boolean(parsedEnv.data.GITHUB_APP_ID) !== Boolean(appKey)) {
    problems.push("env GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY: set both, or neither");
  }
  const oauthSecret =
    parsedEnv.success && (parsedEnv.data.GITHUB_OAUTH_CLIENT_SECRET || parsedEnv.data.GITHUB_OAUTH_CLIENT_SECRET_ARN);
  if (parsedEnv.success && Boolean(parsedEnv.data.GITHUB_OAUTH_CLIENT_ID) !== Boolean(oauthSecret)) {
    problems.push("env GITHUB_OAUTH_CLIENT_ID and GITHUB_OAUTH_CLIENT_SECRET: set both, or neither");
  }
  if (problems.length > 0 || !parsedEnv.success || !parsedFile.success) {
    throw new StackforkError("CONFIG_INVALID", `invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }

  const e = parsedEnv.data;
  const f = parsedFile.data;
  return deepFreeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(cwd, e.STACKFORK_DATA_DIR),
    configFile: text === undefined ? undefined : env.STACKFORK_CONFIG_JSON ? "(STACKFORK_CONFIG_JSON)" : configFile,
    repositories:
      text === undefined
        ? readDemoRepository(cwd, readFile)
        : f.repositories.map((repo) => ({
            ...repo,
            localPath:
              repo.localPath === undefined
                ? undefined
                : path.resolve(env.STACKFORK_CONFIG_JSON ? cwd : path.dirname(configFile), repo.localPath),
          })),
    nameMaxLength: f.nameMaxLength,
    concurrency: f.concurrency ?? Math.max(1, cpus().length),
    leaseSeconds: f.leaseSeconds,
    maxAttempts: f.maxAttempts,
    shutdownGraceSeconds: f.shutdownGraceSeconds,
    reapIntervalSeconds: f.reapIntervalSeconds,
    reconcileIntervalSeconds: f.reconcileIntervalSeconds,
    redeliveriesPerRun: f.redeliveriesPerRun,
    costIntervalSeconds: f.costIntervalSeconds,
    costExplorer: f.costExplorer,
    warmRunners: f.warmRunners,
    publicReads: f.publicReads,
    takeoverGraceSeconds: f.takeoverGraceSeconds,
    allowedHosts: f.allowedHosts ?? (e.STACKFORK_PUBLIC_URL ? [new URL(e.STACKFORK_PUBLIC_URL).host] : []),
    trustProxy: f.trustProxy,
    adminTeam: f.adminTeam,
    previewDomain: f.previewDomain.toLowerCase(),
    previewPort: f.previewPort,
    sandboxesPerOwner: f.sandboxesPerOwner,
    uploadMaxBytes: Math.round(f.uploadMaxMegabytes * 1024 * 1024),
    secrets: {
      webhookSecret: e.GITHUB_WEBHOOK_SECRET,
      apiToken: e.STACKFORK_API_TOKEN,
      pulumiPassphrase: e.PULUMI_CONFIG_PASSPHRASE,
    },
    github: readGitHubAuth(e),
    signIn: e.GITHUB_OAUTH_CLIENT_ID
      ? {
          clientId: e.GITHUB_OAUTH_CLIENT_ID,
          clientSecret: e.GITHUB_OAUTH_CLIENT_SECRET,
          webUrl: e.GITHUB_WEB_URL.replace(/\/+$/, ""),
        }
      : undefined,
    credentialsFile: path.resolve(
      cwd,
      e.STACKFORK_CREDENTIALS ??
        path.join(env.XDG_CONFIG_HOME || path.join(env.HOME ?? cwd, ".config"), "stackfork", "credentials.json"),
    ),
    publicUrl: e.STACKFORK_PUBLIC_URL?.replace(/\/+$/, ""),
    searchPath: e.PATH,
    logLevel: e.LOG_LEVEL,
    serverUrl: e.STACKFORK_URL ?? `http://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${e.PORT}`,
    store: e.STACKFORK_STORE,
    awsPrefix: e.STACKFORK_AWS_PREFIX,
    stateUrl: e.STACKFORK_STATE_URL,
    secretsProvider: e.STACKFORK_SECRETS_PROVIDER,
    secretArns: {
      webhookSecret: e.GITHUB_WEBHOOK_SECRET_ARN,
      apiToken: e.STACKFORK_API_TOKEN_ARN,
      githubToken: e.GITHUB_TOKEN_ARN,
      githubAppPrivateKey: e.GITHUB_APP_PRIVATE_KEY_ARN,
      githubOAuthClientSecret: e.GITHUB_OAUTH_CLIENT_SECRET_ARN,
    },
    githubAppId: e.GITHUB_APP_ID,
    toolEnv: {
      PULUMI_CLI: env.PULUMI_CLI,
      PATH: env.PATH,
      STACKFORK_CACHE_DIR: env.STACKFORK_CACHE_DIR,
      XDG_CACHE_HOME: env.XDG_CACHE_HOME,
      STACKFORK_PLUGINS_DIR: env.STACKFORK_PLUGINS_DIR,
    },
    awsEndpoint: env.AWS_ENDPOINT_URL,
    sandbox: { mode: e.STACKFORK_SANDBOX, unshare: e.STACKFORK_UNSHARE, uid: e.STACKFORK_SANDBOX_UID },
    runnerEnv: pickRunnerEnvironment(env),
    deployer: {
      roleArn: e.STACKFORK_DEPLOYER_ROLE_ARN,
      permissionsBoundaryArn: e.STACKFORK_PERMISSIONS_BOUNDARY_ARN,
      sharePlatformCredentials: e.STACKFORK_SHARE_PLATFORM_CREDENTIALS === "true",
    },
  });
}

/** The embedded default's one repository, `local/stackfork`. */
export const DEMO_REPOSITORY = "local/stackfork";

/**
 * With no config file, a git clone holding a stack project at stacks/service (this repository, say)
 * is the one repository, read from the clone itself: `npm start` plus `stackfork simulate push`
 * then run the whole loop with nothing to set up.
 */
function readDemoRepository(cwd: string, readFile: LoadConfigOptions["readFile"]): RepositoryConfig[] {
  const isClone = readFile(path.join(cwd, ".git", "HEAD")) !== undefined;
  const hasStack = readFile(path.join(cwd, "stacks", "service", "Pulumi.yaml")) !== undefined;
  if (!isClone || !hasStack) return [];
  return [repositorySchema.parse({ name: DEMO_REPOSITORY, localPath: cwd })];
}

/** A GitHub App wins over a token when both are set: it acts as the app, not as a person. */
function readGitHubAuth(e: z.infer<typeof envSchema>): StackforkConfig["github"] {
  const apiUrl = e.GITHUB_API_URL;
  if (e.GITHUB_APP_ID && e.GITHUB_APP_PRIVATE_KEY) {
    return { auth: { appId: e.GITHUB_APP_ID, privateKey: e.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, "\n") }, apiUrl };
  }
  return e.GITHUB_TOKEN ? { auth: { token: e.GITHUB_TOKEN }, apiUrl } : undefined;
}

export function findRepository(config: StackforkConfig, fullName: string): RepositoryConfig | undefined {
  return config.repositories.find((repo) => repo.name.toLowerCase() === fullName.toLowerCase());
}

function formatIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => `${prefix}${issue.path.join(".") || "(root)"}: ${issue.message}`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
