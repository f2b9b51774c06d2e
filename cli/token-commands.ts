import type { TokenScope } from "../core/principal.ts";
import { type Command, EXIT, requireOption, requirePositional, requireToken, UsageError } from "./command-line.ts";
import { requestApi } from "./request-api.ts";

const SCOPES: readonly TokenScope[] = ["read", "write", "admin"];

interface MadeToken {
  name: string;
  scopes: TokenScope[];
  createdBy: string;
  createdAt: string;
  token: string;
}

/** `stackfork token create|revoke|ls`: named tokens for machines (issue 22), an admin's to make. */
export const tokenCommands: Record<string, Command> = {
  "token create": {
    help: `stackfork token create --name <name> [--scope read|write|admin ...]
  Makes a named token (admins only) and prints it alone on the last line, this once: the server keeps
  only its digest. History records what it does as token:<name>. --scope may repeat (default read):
  read sees every environment, write also changes them, admin does everything.`,
    options: { name: { type: "string" }, scope: { type: "string", multiple: true } },
    async run(args, config) {
      const name = requireOption(args, "name");
      const given = (args.values.scope as unknown as string[] | undefined) ?? ["read"];
      const unknown = given.filter((scope) => !SCOPES.includes(scope as TokenScope));
      if (unknown.length > 0) throw new UsageError(`--scope must be read, write or admin, not ${unknown.join(", ")}`);
      const made = await requestApi<MadeToken>(config.serverUrl, "/api/tokens", {
        method: "POST",
        token: requireToken(config),
        body: { name, scopes: [...new Set(given)] },
      });
      console.log(`token ${made.name} (${made.scopes.join(", ")}) made by ${made.createdBy}; it is shown this once:`);
      console.log(made.token);
      return EXIT.ok;
    },
  },
  "token revoke": {
    help: `stackfork token revoke <name>
  Revokes the named token (admins only): it stops working at its next request.`,
    options: {},
    async run(args, config) {
      const name = requirePositional(args, "name");
      await requestApi(config.serverUrl, `/api/tokens/${encodeURIComponent(name)}`, {
        method: "DELETE",
        token: requireToken(config),
      });
      console.log(`token ${name} revoked`);
      return EXIT.ok;
    },
  },
  "token ls": {
    help: `stackfork token ls
  Lists the live named tokens (admins only): name, scopes, who made them and when; never a token.`,
    options: {},
    async run(_args, config) {
      const { tokens } = await requestApi<{ tokens: Omit<MadeToken, "token">[] }>(config.serverUrl, "/api/tokens", {
        token: requireToken(config),
      });
      for (const t of tokens) console.log(`${t.name}\t${t.scopes.join(",")}\t${t.createdBy}\t${t.createdAt}`);
      if (tokens.length === 0) console.log("no named tokens");
      return EXIT.ok;
    },
  },
};
