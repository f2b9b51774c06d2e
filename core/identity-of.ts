import type { Environment, EnvironmentIdentity } from "./environment.ts";

/** The identity an environment was created for: what an intent about it (redeploy, destroy) names. */
export function identityOf(environment: Environment): EnvironmentIdentity {
  const { repository, branch } = environment;
  switch (environment.kind) {
    case "branch":
      return { kind: "branch", repository, branch };
    case "pull_request":
      return { kind: "pull_request", repository, branch, pullRequest: environment.pullRequest ?? 0 };
    case "sandbox":
      return { kind: "sandbox", repository, branch, owner: environment.owner ?? "" };
  }
}
