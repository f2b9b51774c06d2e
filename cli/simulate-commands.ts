import { execFileSync } from "node:child_process";
import { findRepository, type StackforkConfig } from "../core/config.ts";
import { StackforkError } from "../core/errors.ts";
import type { SimulatedEvent } from "./build-simulated-payload.ts";
import { type Command, type Options, type Parsed, readToken, requireOption, UsageError } from "./command-line.ts";
import { createProgress } from "./create-progress.ts";
import { readSecret } from "./read-secret.ts";
import { simulateDelivery } from "./simulate-delivery.ts";

/** `stackfork simulate push|delete|pr`: signed GitHub deliveries to a running server. */
export const simulateCommands: Record<string, Command> = {
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
