import type { Logger } from "../core/logger.ts";
import type { Notifier } from "./notifier.ts";

/** Offline mode (no GitHub credentials): notices go to the log instead of GitHub. */
export function createLogNotifier(log: Logger): Notifier {
  return {
    async notify({ environment, phase, commitSha, error, reason }) {
      log.info(
        {
          environment: environment.id,
          phase,
          url: environment.url,
          commitSha: commitSha ?? environment.commitSha,
          errorCode: error?.code,
          reason,
        },
        `offline: GitHub would be told ${environment.name} is ${phase}`,
      );
    },
  };
}
