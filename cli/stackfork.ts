#!/usr/bin/env -S node --import tsx
import { parseArgs } from "node:util";
import { loadConfig, type StackforkConfig } from "../core/config.ts";
import { isStackforkError } from "../core/errors.ts";
import { bootstrapAws } from "./bootstrap-aws.ts";
import {
  type Command,
  EXIT,
  type Parsed,
  readToken,
  requirePositional,
  requireToken,
  UsageError,
  wait,
} from "./command-line.ts";
import { configCommands } from "./config-commands.ts";
import { costCommands } from "./cost-commands.ts";
import { createProgress } from "./create-progress.ts";
import { followLogs } from "./follow-logs.ts";
import { listEnvironments } from "./list-environments.ts";
import { listOrphans } from "./list-orphans.ts";
import { loginCommands } from "./login-commands.ts";
import { reconcile } from "./reconcile.ts";
import { requestEnvironmentChange } from "./request-environment-change.ts";
import { sandboxCommands } from "./sandbox-commands.ts";
import { readConfigFile, serve } from "./serve.ts";
import { shareCommands } from "./share-command.ts";
import { simulateCommands } from "./simulate-commands.ts";
import { tokenCommands } from "./token-commands.ts";

const usage = `stackfork: a copy of your serverless stack for every branch, pull request and developer

Usage:
  stackfork serve                          webhook intake + worker + dashboard + API, embedded
  stackfork login | logout                 sign in with GitHub (device flow) and act as yourself; sign out
  stackfork ls [--json] [--all] [--cost]   environments of a running server
  stackfork cost [--by repository|owner]   what the live environments cost, per repository or owner
  stackfork logs <env> [--follow]          engine log of an environment's jobs
  stackfork orphans [--json]               stacks and tagged cloud resources without a live environment, and the reverse
  stackfork reconcile [--dry-run]          reconcile with GitHub now (branches, PRs, missed deliveries)
  stackfork sandbox up [options]           your own copy, from a ref or your working tree
  stackfork sandbox down [options]         destroy your sandbox
  stackfork redeploy <env>                 deploy an environment's commit again
  stackfork destroy <env>                  destroy an environment
  stackfork config set|ls <env> ...       an environment's own config values; its config and their sources
  stackfork reseed <env>                   run the repository's seed step again
  stackfork simulate push|delete|pr ...    send a signed GitHub delivery to a running server
  stackfork share <env> [--hours N]        a link that opens a preview without the API token
  stackfork token create|revoke|ls         named tokens for machines, each with its scopes (admins)
  stackfork aws bootstrap                  create the DynamoDB tables, SQS queues, bucket and key
  stackfork <command> --help

Exit codes: 0 ok, 1 failed (refused, deploy failed, no server), 2 usage error.
Environment: STACKFORK_URL (default http://HOST:PORT), STACKFORK_API_TOKEN, GITHUB_WEBHOOK_SECRET,
STACKFORK_DATA_DIR (the CLI reads the token and secret files the server keeps there), STACKFORK_CONFIG.`;

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
    help: `stackfork ls [--json] [--all] [--cost]
  Lists the environments of the server at STACKFORK_URL. --json: the API's JSON. --all: with destroyed ones.
  --cost: what each costs as last measured (idle per month, 24 h, 30 days, life, always on; ~ an estimate).`,
    options: { json: { type: "boolean" }, all: { type: "boolean" }, cost: { type: "boolean" } },
    run: (args, config) =>
      listEnvironments(config.serverUrl, {
        json: args.values.json === true,
        all: args.values.all === true,
        cost: args.values.cost === true,
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
  ...sandboxCommands,
  ...configCommands,
  ...simulateCommands,
  ...shareCommands,
  ...loginCommands,
  ...costCommands,
  ...tokenCommands,
};

const groups: Record<string, string> = {
  aws: "stackfork aws bootstrap   (stackfork aws bootstrap --help)",
  sandbox: "stackfork sandbox up|down [options]   (stackfork sandbox up --help)",
  config: "stackfork config set|ls <env> ...   (stackfork config set --help)",
  simulate: "stackfork simulate push|delete|pr [options]   (stackfork simulate push --help)",
  token: "stackfork token create|revoke|ls ...   (stackfork token create --help)",
};

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
