import { createPermissionCheck } from "../access/check-permission.ts";
import { createPersonSessions } from "../access/create-person-sessions.ts";
import { createRepositoryPermissionReader } from "../access/read-repository-permission.ts";
import { createTeamMembershipReader } from "../access/read-team-membership.ts";
import type { StackforkConfig } from "../core/config.ts";
import type { GitHubClient } from "../github/create-github-client.ts";
import type { Registry } from "../registry/registry.ts";

export interface AccessAssemblyDeps {
  config: StackforkConfig;
  registry: Registry;
  /** The platform's own GitHub client: people's permissions are asked with it. Undefined offline. */
  github?: GitHubClient;
  now: () => Date;
}

/** Who may sign in and what they may do (issue 22), wired once for `stackfork serve` and the dashboard Lambda. */
export function assembleAccess({ config, registry, github, now }: AccessAssemblyDeps) {
  const repositories = config.repositories.map((r) => r.name);
  return {
    /** Sign-in with GitHub: its client, secret resolved, and people's sessions; undefined: off. */
    signIn: config.signIn?.clientSecret
      ? {
          client: { ...config.signIn, clientSecret: config.signIn.clientSecret, apiUrl: config.github?.apiUrl },
          publicUrl: config.publicUrl,
          sessions: createPersonSessions({ store: registry, now }),
        }
      : undefined,
    /** What people and named tokens may do: people by their GitHub permission, cached briefly. */
    permissions: createPermissionCheck({
      readPermission: github && createRepositoryPermissionReader(github),
      readTeamMembership: github && createTeamMembershipReader({ client: github, repositories }),
      adminTeam: config.adminTeam,
      repositories,
      now,
    }),
  };
}
