import * as pulumi from "@pulumi/pulumi";
import { defineAwsResources } from "../aws/aws-resources.ts";
import { loadConfig } from "../core/config.ts";
import { isStackforkError } from "../core/errors.ts";
import { copyNamePrefixes } from "./stackfork-platform-copy-names.ts";

/** What the platform program reads from its stack's config (namespace `stackfork`), defaults filled in. */
export interface PlatformConfig {
  /** `stackfork:prefix`: tables, queues, functions, roles and secrets are `<prefix>-...`. @default "stackfork" */
  prefix: string;
  /** `stackfork:logRetentionDays`, one of CloudWatch's allowed values. @default 14 */
  logRetentionDays: number;
  /** `stackfork:reaperSchedule`, an EventBridge Scheduler expression. @default "rate(5 minutes)" */
  reaperSchedule: string;
  /** `stackfork:workerMaxConcurrency`: workers the queue may run at once (AWS: 2 to 1000). @default 5 */
  workerMaxConcurrency: number;
  /** `stackfork:workerMemoryMb`: also buys CPU, which the engine and `npm ci` need. @default 2048 */
  workerMemoryMb: number;
  /** `stackfork:githubAppId`: with it, GitHub is reached as that App (its private key is a secret); without, with a token. */
  githubAppId?: string;
  /** `stackfork:alarmEmail`: subscribed to the alarm topic (AWS mails a confirmation link first). */
  alarmEmail?: string;
  /**
   * `stackfork:githubOAuthClientId`: people sign in to the dashboard with GitHub through this client
   * (an OAuth App's, or the GitHub App's own); its secret is a secret to fill.
   */
  githubOAuthClientId?: string;
  /** `stackfork:githubWebUrl`: GitHub Enterprise's web address for sign-in. @default "https://github.com" */
  githubWebUrl?: string;
  /**
   * `stackfork:config`: the object a `stackfork.config.json` holds (repositories, ...), validated here
   * by the same loader the functions use, then passed to them as JSON. A repository without a
   * `target` gets `aws`: a Lambda worker has no machine to run local copies on.
   */
  configJson: string;
  /** What the names of the configured repositories' copies start with (stackfork-platform-copy-names.ts). */
  copyNamePrefixes: readonly string[];
}

/** CloudWatch Logs' allowed retentions (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html). */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * Lambda allows 4 KB of environment variables per function, names and values together
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); the config JSON gets
 * most of it, ARNs and URLs the rest.
 */
export const CONFIG_JSON_MAX_LENGTH = 2500;

/** Reads and checks every setting once; every problem is reported together, before anything is created. */
export function readPlatformConfig(config: pulumi.Config): PlatformConfig {
  const problems: string[] = [];
  const prefix = config.get("prefix") ?? "stackfork";
  try {
    defineAwsResources(prefix);
  } catch (err) {
    problems.push(`stackfork:prefix: ${(err as Error).message}`);
  }
  const logRetentionDays = config.getNumber("logRetentionDays") ?? 14;
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    problems.push(`stackfork:logRetentionDays must be one of ${RETENTION_DAYS.join(", ")}: got ${logRetentionDays}`);
  }
  const reaperSchedule = config.get("reaperSchedule") ?? "rate(5 minutes)";
  if (!/^(rate|cron)\(.+\)$/.test(reaperSchedule)) {
    problems.push(`stackfork:reaperSchedule must be rate(...) or cron(...): got ${JSON.stringify(reaperSchedule)}`);
  }
  const workerMaxConcurrency = config.getNumber("workerMaxConcurrency") ?? 5;
  // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html#events-sqs-max-concurrency
  if (!Number.isInteger(workerMaxConcurrency) || workerMaxConcurrency < 2 || workerMaxConcurrency > 1000) {
    problems.push(`stackfork:workerMaxConcurrency must be an integer from 2 to 1000: got ${workerMaxConcurrency}`);
  }
  const workerMemoryMb = config.getNumber("workerMemoryMb") ?? 2048;
  if (!Number.isInteger(workerMemoryMb) || workerMemoryMb < 512 || workerMemoryMb > 10240) {
    problems.push(`stackfork:workerMemoryMb must be an integer from 512 to 10240: got ${workerMemoryMb}`);
  }
  const githubAppId = config.get("githubAppId");
  if (githubAppId !== undefined && !/^\d+$/.test(githubAppId)) {
    problems.push(`stackfork:githubAppId must be the App's numeric id: got ${JSON.stringify(githubAppId)}`);
  }
  const alarmEmail = config.get("alarmEmail");
  const githubOAuthClientId = config.get("githubOAuthClientId");
  const githubWebUrl = config.get("githubWebUrl");
  if (githubWebUrl !== undefined && !/^https?:\/\/\S+$/.test(githubWebUrl)) {
    problems.push(`stackfork:githubWebUrl must be an http(s) URL: got ${JSON.stringify(githubWebUrl)}`);
  }
  const { configJson, repositories, nameMaxLength } = readFunctionsConfig(config, problems);
  const copyPrefixes = readCopyNamePrefixes(repositories, nameMaxLength, prefix, problems);
  if (problems.length > 0) {
    throw new pulumi.RunError(`invalid stackfork platform config:\n  - ${problems.join("\n  - ")}`);
  }
  return Object.freeze({
    prefix,
    logRetentionDays,
    reaperSchedule,
    workerMaxConcurrency,
    workerMemoryMb,
    ...(githubAppId !== undefined && { githubAppId }),
    ...(alarmEmail !== undefined && { alarmEmail }),
    ...(githubOAuthClientId !== undefined && { githubOAuthClientId }),
    ...(githubWebUrl !== undefined && { githubWebUrl }),
    configJson,
    copyNamePrefixes: Object.freeze(copyPrefixes),
  });
}

/**
 * A copy's names must never match the platform's own (repository `acme/stackfork` with the default
 * prefix, say): the deployer is denied everything named like the platform (aws/deployer-guardrails.ts),
 * so such a copy could never deploy. Said here, before anything is created.
 */
function readCopyNamePrefixes(
  repositories: readonly { name: string }[],
  nameMaxLength: number,
  prefix: string,
  problems: string[],
): string[] {
  try {
    const prefixes = copyNamePrefixes(repositories, nameMaxLength);
    const own = `${prefix}-`.toLowerCase();
    for (const copyPrefix of prefixes) {
      if (own.startsWith(copyPrefix) || copyPrefix.startsWith(own)) {
        problems.push(
          `stackfork:prefix ${JSON.stringify(prefix)}: copies named ${copyPrefix}... would share the platform's own names; choose another prefix`,
        );
      }
    }
    return prefixes;
  } catch (err) {
    problems.push(`stackfork:config: ${(err as Error).message}`);
    return [];
  }
}

function readFunctionsConfig(config: pulumi.Config, problems: string[]) {
  const file = config.getObject<Record<string, unknown>>("config") ?? {};
  const repositories = Array.isArray(file.repositories) ? (file.repositories as Record<string, unknown>[]) : [];
  for (const repository of repositories) {
    if (repository.localPath !== undefined) {
      problems.push(`stackfork:config: ${String(repository.name)}: localPath cannot be read by a Lambda worker`);
    }
    if (repository.target === "local") {
      problems.push(`stackfork:config: ${String(repository.name)}: target local cannot run on Lambda, use aws`);
    }
  }
  const normalized = {
    ...file,
    repositories: repositories.map((repository) => ({ target: "aws", ...repository })),
  };
  const configJson = JSON.stringify(normalized);
  if (configJson.length > CONFIG_JSON_MAX_LENGTH) {
    problems.push(
      `stackfork:config is ${configJson.length} characters as JSON; Lambda's variables hold at most about ${CONFIG_JSON_MAX_LENGTH}`,
    );
  }
  // The same loader the functions run, so that a config they would refuse fails the preview instead.
  try {
    const loaded = loadConfig({ env: { STACKFORK_CONFIG_JSON: configJson }, cwd: "/", readFile: () => undefined });
    return { configJson, repositories: loaded.repositories, nameMaxLength: loaded.nameMaxLength };
  } catch (err) {
    problems.push(isStackforkError(err) ? err.message : String(err));
    return { configJson, repositories: [], nameMaxLength: 40 };
  }
}
