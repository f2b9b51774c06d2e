import type { StackforkConfig } from "../core/config.ts";
import { type Command, EXIT, owner, type Parsed, requireToken, UsageError, wait } from "./command-line.ts";
import { createProgress } from "./create-progress.ts";
import { detectSandboxDefaults } from "./detect-sandbox-defaults.ts";
import { readCredentials } from "./read-credentials.ts";
import { requestApi } from "./request-api.ts";
import { requestEnvironmentChange } from "./request-environment-change.ts";
import { sandboxUp } from "./sandbox-up.ts";

/** `stackfork sandbox up|down`: one's own copy of a repository. */
export const sandboxCommands: Record<string, Command> = {
  "sandbox up": {
    help: `stackfork sandbox up [--owner <login>] [--repository <owner/name>] [--ref <ref> | --dir <path>] [--no-wait]
  Creates or updates your sandbox (one per owner and repository) and waits for its deploy, showing
  progress on stderr; prints the preview URL on stdout.
    --ref <ref>    a branch, or a commit (7-40 hex), of the repository's clone on the server
    --dir <path>   your working tree, uploaded as a tar.gz without node_modules and .git (the default: .)
    --owner        default: your GitHub login after stackfork login, else git config github.user, else your login name here
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
};

function resolveSandbox(args: Parsed, config: StackforkConfig, dir: string): { owner: string; repository: string } {
  const detected = detectSandboxDefaults(dir, config.repositories);
  // Signed in with `stackfork login` (and no API token set): the server lets a person ask only for their own.
  const signedIn = config.secrets.apiToken ? undefined : readCredentials(config.credentialsFile, config.serverUrl);
  const owner = typeof args.values.owner === "string" ? args.values.owner : (signedIn?.login ?? detected.owner);
  const repository = typeof args.values.repository === "string" ? args.values.repository : detected.repository;
  if (!owner) throw new UsageError("give --owner <your GitHub login>");
  if (!repository)
    throw new UsageError("give --repository <owner/name> (no single configured repository, no GitHub origin here)");
  return { owner, repository };
}
