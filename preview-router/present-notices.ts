import type { Environment } from "../core/environment.ts";
import type { Notifier } from "../github/notifier.ts";

/** GitHub's notices (the PR comment, the Deployments API's environment_url) with the routed `url`. */
export function presentNotices(notifier: Notifier, present: (environment: Environment) => Environment): Notifier {
  return { notify: (notice) => notifier.notify({ ...notice, environment: present(notice.environment) }) };
}
