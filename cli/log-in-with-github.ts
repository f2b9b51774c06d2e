import { setTimeout as sleepFor } from "node:timers/promises";
import type { Progress } from "./create-progress.ts";
import { requestApi } from "./request-api.ts";
import { saveCredentials } from "./save-credentials.ts";

export interface LogInOptions {
  serverUrl: string;
  /** Where the person's token is kept (core/config.ts `credentialsFile`). */
  credentialsFile: string;
  progress: Progress;
  /** @default a real wait */
  sleep?: (ms: number) => Promise<unknown>;
}

type DevicePoll =
  | { status: "pending" }
  | { status: "slow_down"; interval: number }
  | { status: "signed_in"; login: string; token: string; expiresAt: string };

/**
 * `stackfork login`: GitHub's device flow through the server (it holds the client secret and
 * GitHub's user token; this gets a token of stackfork's own). Works over SSH and with no browser
 * here: the person opens the address anywhere. Polls no faster than GitHub's interval, slower
 * when told to slow down; GitHub ends a code it was never given after 15 minutes (SIGN_IN_REFUSED).
 */
export async function logInWithGitHub({
  serverUrl,
  credentialsFile,
  progress,
  sleep = sleepFor,
}: LogInOptions): Promise<number> {
  const code = await requestApi<{ deviceCode: string; userCode: string; verificationUri: string; interval: number }>(
    serverUrl,
    "/api/login/device",
    { method: "POST" },
  );
  console.error(`Open ${code.verificationUri} and enter ${code.userCode}`);
  let interval = code.interval;
  for (let polls = 1; ; polls++) {
    progress.update(`waiting for ${code.userCode} to be entered at ${code.verificationUri} (check ${polls})`);
    await sleep(interval * 1000);
    const poll = await requestApi<DevicePoll>(serverUrl, "/api/login/device/token", {
      method: "POST",
      body: { deviceCode: code.deviceCode },
    });
    if (poll.status === "slow_down") interval = poll.interval;
    if (poll.status !== "signed_in") continue;
    progress.done();
    saveCredentials(credentialsFile, { serverUrl, login: poll.login, token: poll.token, expiresAt: poll.expiresAt });
    console.log(`Signed in to ${serverUrl} as ${poll.login} until ${poll.expiresAt}`);
    return 0;
  }
}
