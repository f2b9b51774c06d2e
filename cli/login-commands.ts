import { rmSync } from "node:fs";
import type { Command } from "./command-line.ts";
import { createProgress } from "./create-progress.ts";
import { logInWithGitHub } from "./log-in-with-github.ts";
import { readCredentials } from "./read-credentials.ts";
import { requestApi } from "./request-api.ts";

/** `stackfork login` / `stackfork logout`: a person signed in with GitHub, not the shared API token. */
export const loginCommands: Record<string, Command> = {
  login: {
    help: `stackfork login
  Signs you in with GitHub (the device flow): prints an address and a code to enter there, from any
  browser, then keeps a token of stackfork's own for you in STACKFORK_CREDENTIALS (default
  ~/.config/stackfork/credentials.json, mode 600). Commands then act as you, by your permission on
  each repository, and history names you. STACKFORK_API_TOKEN, when set, still wins.`,
    options: {},
    run: (_args, config) =>
      logInWithGitHub({
        serverUrl: config.serverUrl,
        credentialsFile: config.credentialsFile,
        progress: createProgress(),
      }),
  },
  logout: {
    help: `stackfork logout
  Ends your session on the server at once and deletes the saved token.`,
    options: {},
    async run(_args, config) {
      const saved = readCredentials(config.credentialsFile, config.serverUrl);
      if (saved) await requestApi(config.serverUrl, "/api/logout", { method: "POST", token: saved.token });
      rmSync(config.credentialsFile, { force: true });
      console.log(
        saved ? `Signed out ${saved.login} from ${config.serverUrl}` : `Not signed in to ${config.serverUrl}`,
      );
      return 0;
    },
  },
};
