import { type Command, EXIT, requirePositional, requireToken, UsageError } from "./command-line.ts";
import { requestApi } from "./request-api.ts";

/** `stackfork share <env>`: a link that opens the preview without the API token (preview-router/). */
export const shareCommands: Record<string, Command> = {
  share: {
    help: `stackfork share <env> [--hours N] [--revoke]
  Prints a signed link that opens <env>'s preview for N hours (default 24, at most 720) without the
  API token: it sets a cookie for that preview's address alone. The link is alone on the last line.
    --revoke   revoke every link of <env> issued so far instead (links made afterwards work)`,
    options: { hours: { type: "string" }, revoke: { type: "boolean" } },
    async run(args, config) {
      const env = requirePositional(args, "env");
      const token = requireToken(config);
      const path = `/api/environments/${encodeURIComponent(env)}/share`;
      if (args.values.revoke === true) {
        await requestApi(config.serverUrl, path, { method: "DELETE", token });
        console.log(`every share link of ${env} issued so far is revoked`);
        return EXIT.ok;
      }
      const hours = args.values.hours === undefined ? undefined : Number(args.values.hours);
      if (hours !== undefined && !(hours > 0)) throw new UsageError("--hours must be a number of hours above 0");
      const link = await requestApi<{ url: string; expiresAt: string }>(config.serverUrl, path, {
        method: "POST",
        token,
        body: hours === undefined ? {} : { hours },
      });
      console.log(`opens ${env} until ${link.expiresAt}; anyone with it can see the preview:`);
      console.log(link.url);
      return EXIT.ok;
    },
  },
};
