#!/usr/bin/env -S node --import tsx
import { execFileSync } from "node:child_process";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { findRepository, loadConfig, type StackforkConfig } from "../core/config.ts";
import { isStackforkError, StackforkError } from "../core/errors.ts";
import { bootstrapAws } from "./bootstrap-aws.ts";
import type { SimulatedEvent } from "./build-simulated-payload.ts";
import { createProgress } from "./create-progress.ts";
import { detectSandboxDefaults } from "./detect-sandbox-defaults.ts";
import { followLogs } from "./follow-logs.ts";
import { listEnvironments } from "./list-environments.ts";
import { listOrphans } from "./list-orphans.ts";
import { readSecret } from "./read-secret.ts";
import { reconcile } from "./reconcile.ts";
import { requestApi } from "./request-api.ts";
import { requestEnvironmentChange } from "./request-environment-change.ts";
import { sandboxUp } from "./sandbox-up.ts";
import { readConfigFile, serve } from "./serve.ts";
import { simulateDelivery } from "./simulate-delivery.ts";

/** Exit codes scripts can rely on (README "CLI"). */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const usage = `stackfork: a copy of your serverless stack for every branch, pull request and developer

Usage:
  stackfork serve                          webhook intake + worker + dashboard + API, embedded
  stackfork ls [--json] [--all]            environments of a running server
  stackfork logs <env> [--follow]          engine log of an environment's jobs
  stackfork orphans [--json]               stacks and tagged cloud resources without a live environment, and the reverse
  stackfork reconcile [--dry-run]          reconcile with GitHub now (branches, PRs, missed deliveries)
  stackfork sandbox up [options]           your own copy, from a ref or your working tree
  stackfork sandbox down [options]         destroy your sandbox
  stackfork redeploy <env>                 deploy an environment's commit again
  stackfork destroy <env>                  destroy an environment
  stackfork simulate push|delete|pr ...    send a signed GitHub delivery to a running server
  stackfork aws bootstrap                  create the DynamoDB tables, SQS queues, bucket and key
  stackfork <command> --help

Exit codes: 0 ok, 1 failed (refused, deploy failed, no server), 2 usage error.
Environment: STACKFORK_URL (default http://HOST:PORT), STACKFORK_API_TOKEN, GITHUB_WEBHOOK_SECRET,
STACKFORK_DATA_DIR (the CLI reads the token and secret files the server keeps there), STACKFORK_CONFIG.`;

type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

interface Command {
  help: string;
  options: Options;
  run(args: Parsed, config: StackforkConfig): Promise<number>;
}

const wait = { "no-wait": { type: "boolean" } } as const;
const owner = { owner: { type: "string" }, repository: { type: "string" } } as const;

const commands: Record<string, Command> = {
  "aws bootstrap": {
    help: `stackfork aws bootstrap
  Creates what is missing, idempotently: the DynamoDB tables and the SQS FIFO queue with its
  dead-letter queue named by STACKFORK_AWS_PREFIX (default stackfork), and for an s3:// STACKFORK_STATE_URL
  the bucket, for an awskms://alias/... STACKFORK_SECRETS_PROVIDER the key and its alias. Prints what
  it created and what was there. AWS_REGION, AWS_ENDPOINT_URL and credentials as for any AWS SDK.`,
    options: {},
    run: (_args, config) => bootstrapAws(config),
  },
  serve: {
    help: `stackfork serve
  Webhook intake, worker, dashboard and API in one process, on HOST:PORT (default 127.0.0.1:8080),
  data in STACKFORK_DATA_DIR (default ./.stackfork). Stops on SIGTERM / SIGINT.`,
    options: {},
    async run(_args, config) {
      await serve(config);
      return -1; // keeps running until a signal
    },
  },
  ls: {
    help: `stackfork ls [--json] [--all]
  Lists the environments of the server at STACKFORK_URL. --json: the API's JSON. --all: with destroyed ones.`,
    options: { json: { type: "boolean" }, all: { type: "boolean" } },
    run: (args, config) =>
      listEnvironments(config.serverUrl, {
        json: args.values.json === true,
        all: args.values.all === true,
        token: readToken(config),
      }),
  },
  orphans: {
    help: `stackfork orphans [--json]
  Lists stacks in the Pulumi state that no live environment owns, ready environments whose stack
  is gone, and (repositories of target aws) cloud resources tagged for an environment that is not
  live. Changes nothing. Exit 1 when there is any.`,
    options: { json: { type: "boolean" } },
    run: (args, config) => listOrphans(config.serverUrl, { json: args.values.json === true, token: readToken(config) }),
  },
  reconcile: {
    help: `stackfork reconcile [--dry-run] [--repository <owner/name>] [--json]
  Asks the server to reconcile with GitHub now: branches deleted, pull requests closed and pushes
  missed while it was away are acted on (actor stackfork, the reason in history), and failed webhook
  deliveries are asked again. Prints the decisions. --dry-run: the same decisions, nothing changed.
  Exit 1 when a repository could not be reconciled (GitHub failing, or its rate limit).`,
    options: { "dry-run": { type: "boolean" }, repository: { type: "string" }, json: { type: "boolean" } },
    run: (args, config) =>
      reconcile(config.serverUrl, {
        token: requireToken(config),
        dryRun: args.values["dry-run"] === true,
        repository: typeof args.values.repository === "string" ? args.values.repository : undefined,
        json: args.values.json === true,
      }),
  },
  logs: {
    help: `stackfork logs <env> [--follow]
  Prints the engine log of <env>'s jobs; --follow keeps printing until it settles (exit 1 if it failed).`,
    options: { follow: { type: "boolean", short: "f" } },
    run: (args, config) =>
      followLogs(config.serverUrl, requirePositional(args, "env"), {
        follow: args.values.follow === true,
        token: readToken(config),
      }),
  },
  "sandbox up": {
    help: `stackfork sandbox up [--owner <login>] [--repository <owner/name>] [--ref <ref> | --dir <path>] [--no-wait]
  Creates or updates your sandbox (one per owner and repository) and waits for its deploy, showing
  progress on stderr; prints the preview URL on stdout.
    --ref <ref>    a branch, or a commit (7-40 hex), of the repository's clone on the server
    --dir <path>   your working tree, uploaded as a tar.gz without node_modules and .git (the default: .)
    --owner        default: git config github.user, else your login name here
    --repository   default: the only configured repository, else this folder's GitHub origin
    --no-wait      print the environment's name once queued, and return`,
    options: { ...owner, ...wait, ref: { type: "string" }, dir: { type: "string" } },
    async run(args, config) {
      const { values } = args;
      if (values.ref !== undefined && values.dir !== undefined) throw new UsageError("give --ref or --dir, not both");
      const dir = typeof values.dir === "string" ? values.dir : values.ref === undefined ? "." : undefined;
      const target = resolveSandbox(args, config, dir ?? ".");
      return sandboxUp({
        serverUrl: config.serverUrl,
        token: requireToken(config),
        ...target,
        ref: typeof values.ref === "string" ? values.ref : undefined,
        dir,
        wait: values["no-wait"] !== true,
        progress: createProgress(),
      });
    },
  },
  "sandbox down": {
    help: `stackfork sandbox down [--owner <login>] [--repository <owner/name>] [--no-wait]
  Destroys your sandbox of the repository and waits until it is gone (same defaults as sandbox up).`,
    options: { ...owner, ...wait },
    async run(args, config) {
      const target = resolveSandbox(args, config, ".");
      const token = requireToken(config);
      const query = new URLSearchParams({ kind: "sandbox", owner: target.owner, repository: target.repository });
      const { environments } = await requestApi<{ environments: { id: string }[] }>(
        config.serverUrl,
        `/api/environments?${query}`,
        { token },
      );
      const sandbox = environments[0];
      if (!sandbox) {
        console.error(`${target.owner} has no live sandbox of ${target.repository}`);
        return EXIT.ok;
      }
      return requestEnvironmentChange({
        serverUrl: config.serverUrl,
        token,
        environmentId: sandbox.id,
        change: "destroy",
        wait: args.values["no-wait"] !== true,
        progress: createProgress(),
      });
    },
  },
  redeploy: {
    help: `stackfork redeploy <env> [--no-wait]
  Deploys <env>'s commit again (the one last asked for) and waits; prints the preview URL.`,
    options: { ...wait },
    run: (args, config) => changeEnvironment(args, config, "redeploy"),
  },
  destroy: {
    help: `stackfork destroy <env> [--no-wait]
  Destroys <env> (its stack and data) and waits until it is gone.`,
    options: { ...wait },
    run: (args, config) => changeEnvironment(args, config, "destroy"),
  },
  "simulate push": {
    help: `stackfork simulate push --branch <branch> [--repository <owner/name>] [--sha <sha>] [--sender <login>] [--wait]
  Sends a signed push delivery. --sha defaults to the branch's head in the repository's localPath.
  --wait follows the deploy it queued and prints the preview URL.`,
    options: simulateOptions({ sha: { type: "string" } }),
    run: (args, config) => {
      const base = simulateBase(args, config);
      const branch = requireOption(args, "branch");
      return simulate(args, config, {
        event: "push",
        ...base,
        branch,
        sha: resolveSha(args, config, base.repository, branch),
      });
    },
  },
  "simulate delete": {
    help: `stackfork simulate delete --branch <branch> [--repository <owner/name>] [--sender <login>] [--wait]
  Sends a signed delete delivery for the branch (its environment is destroyed).`,
    options: simulateOptions({}),
    run: (args, config) =>
      simulate(args, config, { event: "delete", ...simulateBase(args, config), branch: requireOption(args, "branch") }),
  },
  "simulate pr": {
    help: `stackfork simulate pr --number <n> --branch <head branch> [--action opened|reopened|synchronize|ready_for_review|closed]
                        [--repository <owner/name>] [--sha <sha>] [--fork] [--merged] [--sender <login>] [--wait]
  Sends a signed pull_request delivery (default action: opened; --fork: the head is in a fork).`,
    options: simulateOptions({
      number: { type: "string" },
      action: { type: "string" },
      sha: { type: "string" },
      fork: { type: "boolean" },
      merged: { type: "boolean" },
    }),
    run: (args, config) => {
      const base = simulateBase(args, config);
      const branch = requireOption(args, "branch");
      const number = Number(requireOption(args, "number"));
      if (!Number.isInteger(number) || number < 1) throw new UsageError("--number must be a pull request number");
      const actions = ["opened", "reopened", "synchronize", "ready_for_review", "closed"] as const;
      const action = (args.values.action ?? "opened") as (typeof actions)[number];
      if (!actions.includes(action)) throw new UsageError(`--action must be one of ${actions.join(", ")}`);
      return simulate(args, config, {
        event: "pull_request",
        ...base,
        action,
        number,
        branch,
        sha:
          args.values.fork === true && args.values.sha === undefined
            ? requireOption(args, "sha")
            : resolveSha(args, config, base.repository, branch),
        fork: args.values.fork === true,
        merged: args.values.merged === true,
      });
    },
  },
};

const groups: Record<string, string> = {
  aws: "stackfork aws bootstrap   (stackfork aws bootstrap --help)",
  sandbox: "stackfork sandbox up|down [options]   (stackfork sandbox up --help)",
  simulate: "stackfork simulate push|delete|pr [options]   (stackfork simulate push --help)",
};

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (!first || first === "--help" || first === "-h" || first === "help") {
    console.log(usage);
    return first ? EXIT.ok : EXIT.usage;
  }
  const key = groups[first] ? `${first} ${second ?? ""}` : first;
  const command = commands[key];
  if (!command) {
    if (groups[first] && (second === undefined || second === "--help" || second === "-h")) {
      console.log(groups[first]);
      return second ? EXIT.ok : EXIT.usage;
    }
    console.error(`stackfork: unknown command ${groups[first] ? key.trim() : first}\n\n${usage}`);
    return EXIT.usage;
  }
  let args: Parsed;
  try {
    args = parseArgs({
      args: argv.slice(key.split(" ").length),
      allowPositionals: true,
      strict: true,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
    }) as Parsed;
  } catch (err) {
    console.error(`stackfork ${key}: ${(err as Error).message}\n\n${command.help}`);
    return EXIT.usage;
  }
  if (args.values.help) {
    console.log(command.help);
    return EXIT.ok;
  }
  const config = loadConfig({ env: process.env, cwd: process.cwd(), readFile: readConfigFile });
  try {
    return await command.run(args, config);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`stackfork ${key}: ${err.message}\n\n${command.help}`);
      return EXIT.usage;
    }
    throw err;
  }
}

function changeEnvironment(args: Parsed, config: StackforkConfig, change: "redeploy" | "destroy"): Promise<number> {
  const environmentId = requirePositional(args, "env");
  return requestEnvironmentChange({
    serverUrl: config.serverUrl,
    token: requireToken(config),
    environmentId,
    change,
    wait: args.values["no-wait"] !== true,
    progress: createProgress(),
  });
}

function resolveSandbox(args: Parsed, config: StackforkConfig, dir: string): { owner: string; repository: string } {
  const detected = detectSandboxDefaults(dir, config.repositories);
  const owner = typeof args.values.owner === "string" ? args.values.owner : detected.owner;
  const repository = typeof args.values.repository === "string" ? args.values.repository : detected.repository;
  if (!owner) throw new UsageError("give --owner <your GitHub login>");
  if (!repository)
    throw new UsageError("give --repository <owner/name> (no single configured repository, no GitHub origin here)");
  return { owner, repository };
}

function simulateOptions(extra: Options): Options {
  return {
    ...extra,
    repository: { type: "string" },
    branch: { type: "string" },
    sender: { type: "string" },
    wait: { type: "boolean" },
  };
}

function simulateBase(args: Parsed, config: StackforkConfig) {
  const only = config.repositories.length === 1 ? config.repositories[0]?.name : undefined;
  const repository = typeof args.values.repository === "string" ? args.values.repository : only;
  if (!repository) throw new UsageError("give --repository <owner/name>");
  return {
    repository,
    defaultBranch: findRepository(config, repository)?.defaultBranch ?? "main",
    sender: typeof args.values.sender === "string" ? args.values.sender : "stackfork-simulator",
  };
}

/** The given --sha, else the branch's head in the repository's local clone. */
function resolveSha(args: Parsed, config: StackforkConfig, repository: string, branch: string): string {
  if (typeof args.values.sha === "string") {
    if (!/^[0-9a-f]{40}$/.test(args.values.sha)) throw new UsageError("--sha must be a full 40-hex commit SHA");
    return args.values.sha;
  }
  const clone = findRepository(config, repository)?.localPath;
  if (!clone)
    throw new UsageError(`give --sha (${repository} has no localPath in the config to read ${branch}'s head from)`);
  try {
    return execFileSync("git", ["-C", clone, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    throw new UsageError(`branch ${JSON.stringify(branch)} is not in ${clone}: give --sha, or create the branch there`);
  }
}

function simulate(args: Parsed, config: StackforkConfig, simulated: SimulatedEvent): Promise<number> {
  const webhookSecret = readSecret(config.dataDir, "webhook-secret", config.secrets.webhookSecret);
  if (!webhookSecret) {
    throw new StackforkError(
      "UNAUTHORIZED",
      `no webhook secret: set GITHUB_WEBHOOK_SECRET, or STACKFORK_DATA_DIR to the server's data dir (${config.dataDir})`,
    );
  }
  return simulateDelivery({
    serverUrl: config.serverUrl,
    webhookSecret,
    simulated,
    token: readToken(config),
    wait: args.values.wait === true,
    progress: createProgress(),
  });
}

/** Reads send the token when there is one: the server may be off loopback. */
function readToken(config: StackforkConfig): string | undefined {
  return readSecret(config.dataDir, "api-token", config.secrets.apiToken);
}

function requireToken(config: StackforkConfig): string {
  const token = readToken(config);
  if (!token) {
    throw new StackforkError(
      "UNAUTHORIZED",
      `no API token: set STACKFORK_API_TOKEN, or STACKFORK_DATA_DIR to the server's data dir (${config.dataDir}/secrets/api-token)`,
    );
  }
  return token;
}

function requirePositional(args: Parsed, name: string): string {
  const [value, ...extra] = args.positionals;
  if (!value) throw new UsageError(`<${name}> is missing`);
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(" ")}`);
  return value;
}

function requireOption(args: Parsed, name: string): string {
  const value = args.values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (isStackforkError(err)) console.error(`stackfork: ${err.code}: ${err.message}`);
    else console.error(err);
    process.exitCode = EXIT.failed;
  },
);
