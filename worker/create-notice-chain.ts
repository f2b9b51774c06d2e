import type { Logger } from "../core/logger.ts";
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
  const notices = new Map<string, Promise<void>>();

  const notify: Notify = (notice) => {
    const id = notice.environment.id;
    const next = (notices.get(id) ?? Promise.resolve())
      .then(() => deps.notifier.notify(notice))
      .catch((err: unknown) => deps.log.error({ err, environment: id }, "notifier failed"));
    notices.set(id, next);
    void next.then(() => {
      if (notices.get(id) === next) notices.delete(id);
    });
  };

  return { notify, settled: () => Promise.allSettled(notices.values()) };
}
