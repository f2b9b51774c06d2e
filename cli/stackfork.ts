#!/usr/bin/env -S node --import tsx
import { parseArgs } from "node:util";
import { loadConfig } from "../core/config.ts";
import { isStackforkError } from "../core/errors.ts";
import { followLogs } from "./follow-logs.ts";
import { listEnvironments } from "./list-environments.ts";
import { readConfigFile, serve } from "./serve.ts";

const usage = `stackfork: a copy of your serverless stack for every branch

Usage:
  stackfork serve                 webhook intake + worker + API, embedded (SQLite, file:// state, local copies)
  stackfork ls [--json] [--all]   environments of a running server (--all: with destroyed ones)
  stackfork logs <env> [--follow] engine log of an environment's jobs
  stackfork <command> --help

Environment: PORT, HOST, STACKFORK_DATA_DIR, STACKFORK_CONFIG, STACKFORK_URL (see README).`;

const help: Record<string, string> = {
  serve:
    "stackfork serve\n  Listens on HOST:PORT (default 127.0.0.1:8080); data in STACKFORK_DATA_DIR (default ./.stackfork).",
  ls: "stackfork ls [--json] [--all]\n  Lists environments of the server at STACKFORK_URL (default http://HOST:PORT).",
  logs: "stackfork logs <env> [--follow]\n  Prints the engine log of <env>; --follow keeps printing until the job settles.",
};

/** Exit codes: 0 ok, 1 failed, 2 usage error. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(usage);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      all: { type: "boolean", default: false },
      follow: { type: "boolean", short: "f", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(help[command] ?? usage);
    return help[command] ? 0 : 2;
  }
  const config = loadConfig({ env: process.env, cwd: process.cwd(), readFile: readConfigFile });
  switch (command) {
    case "serve":
      await serve(config, process.env);
      return -1; // keeps running until a signal
    case "ls":
      return listEnvironments(config.serverUrl, { json: values.json, all: values.all });
    case "logs": {
      const [env] = positionals;
      if (!env) {
        console.error(help.logs);
        return 2;
      }
      return followLogs(config.serverUrl, env, { follow: values.follow });
    }
    default:
      console.error(`unknown command ${command}\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (isStackforkError(err)) console.error(`stackfork: ${err.code}: ${err.message}`);
    else if (err instanceof Error && "code" in err && err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      console.error(`stackfork: ${err.message}`);
      process.exitCode = 2;
      return;
    } else console.error(err);
    process.exitCode = 1;
  },
);
