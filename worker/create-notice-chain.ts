import type { Logger } from "../core/logger.ts";
import { createEnvironmentChain } from "../github/create-environment-chain.ts";
import type { EnvironmentNotice, Notifier } from "../github/notifier.ts";

export interface NoticeChainDeps {
  notifier: Notifier;
  log: Logger;
}

/** Hands a notice on without waiting for it. */
export type Notify = (notice: EnvironmentNotice) => void;

/**
 * Notices never hold up the engine (GitHub asks for about a second between writes), yet reach
 * GitHub in order: one chain per environment. A notifier that throws anyway changes no outcome.
 * `settled()` waits for the notices still on their way (a stopping worker).
 */
export function createNoticeChain(deps: NoticeChainDeps): { notify: Notify; settled: () => Promise<unknown> } {
  const chain = createEnvironmentChain((err, environment) => deps.log.error({ err, environment }, "notifier failed"));
  return {
    notify: (notice) => void chain.run(notice.environment.id, () => deps.notifier.notify(notice)),
    settled: chain.settled,
  };
}
