import type { EnvironmentKind } from "../core/environment.ts";
import type { Principal } from "../core/principal.ts";
import { createPermissionCache } from "./create-permission-cache.ts";
import type { RepositoryPermission } from "./read-repository-permission.ts";

/** What an action needs: `read` sees, `write` changes an environment, `admin` the platform's own things. */
export type AccessNeed = "read" | "write" | "admin";

/** The part of an environment access depends on. */
export interface AccessTarget {
  repository: string;
  kind?: EnvironmentKind;
  owner?: string;
}

export interface PermissionCheckOptions {
  /** GitHub's answer for a person on a repository; absent (offline): people may do nothing. */
  readPermission?: (repository: string, login: string) => Promise<RepositoryPermission>;
  readTeamMembership?: (team: string, login: string) => Promise<boolean>;
  /** `org/team-slug` whose active members are admins of the platform. */
  adminTeam?: string;
  /** The configured repositories: the ones a person's lists are made of. */
  repositories: readonly string[];
  now: () => Date;
  /** How long GitHub's answers are believed. @default 60_000 */
  cacheMs?: number;
}

const RANK: Record<RepositoryPermission, number> = { none: 0, read: 1, write: 2, admin: 3 };

/**
 * The access rules of issue 22, in one place. The API token may do everything; a named token what
 * its scopes say, on every repository; a person what their permission on the environment's
 * repository says (read sees, write changes, admin both), everything as an admin (the admin team,
 * or admin on every configured repository), and all but the platform's own things on their own
 * sandboxes whatever their permission.
 */
export function createPermissionCheck(options: PermissionCheckOptions) {
  const { readPermission, readTeamMembership, adminTeam, repositories, now } = options;
  const permissions = createPermissionCache<RepositoryPermission>({ ttlMs: options.cacheMs, now });
  const memberships = createPermissionCache<boolean>({ ttlMs: options.cacheMs, now });

  const permissionOf = (login: string, repository: string): Promise<RepositoryPermission> =>
    readPermission
      ? permissions.get(`${login.toLowerCase()}\n${repository.toLowerCase()}`, () => readPermission(repository, login))
      : Promise.resolve("none");

  async function isAdmin(principal: Principal): Promise<boolean> {
    if (principal.kind === "api_token") return true;
    if (principal.kind === "token") return principal.scopes.includes("admin");
    const { login } = principal;
    if (adminTeam && readTeamMembership) {
      const member = await memberships.get(`${login.toLowerCase()}\n${adminTeam.toLowerCase()}`, () =>
        readTeamMembership(adminTeam, login),
      );
      if (member) return true;
    }
    if (repositories.length === 0) return false;
    const all = await Promise.all(repositories.map((repository) => permissionOf(login, repository)));
    return all.every((permission) => permission === "admin");
  }

  const ownSandbox = (login: string, target: AccessTarget) =>
    target.kind === "sandbox" && target.owner?.toLowerCase() === login.toLowerCase();

  return {
    isAdmin,
    /** Whether `principal` may do what `need` says: on `target`'s repository, or platform-wide without one. */
    async allows(principal: Principal, need: AccessNeed, target?: AccessTarget): Promise<boolean> {
      if (principal.kind === "api_token") return true;
      if (principal.kind === "token") {
        const { scopes } = principal;
        if (scopes.includes("admin")) return true;
        return need === "read" ? scopes.length > 0 : need === "write" && scopes.includes("write");
      }
      if (target && need !== "admin" && ownSandbox(principal.login, target)) return true;
      if (await isAdmin(principal)) return true;
      if (!target || need === "admin") return false;
      return RANK[await permissionOf(principal.login, target.repository)] >= RANK[need];
    },
    /**
     * What `principal` may see, as a test on an environment; undefined when it sees everything.
     * A person sees the configured repositories they may read, and their own sandboxes.
     */
    async visibility(principal: Principal): Promise<((target: AccessTarget) => boolean) | undefined> {
      if (principal.kind !== "person") return undefined;
      if (await isAdmin(principal)) return undefined;
      const { login } = principal;
      const readable = new Set<string>();
      await Promise.all(
        repositories.map(async (repository) => {
          if ((await permissionOf(login, repository)) !== "none") readable.add(repository.toLowerCase());
        }),
      );
      return (target) => readable.has(target.repository.toLowerCase()) || ownSandbox(login, target);
    },
  };
}

export type PermissionCheck = ReturnType<typeof createPermissionCheck>;
