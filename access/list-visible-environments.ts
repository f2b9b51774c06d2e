import type { Environment } from "../core/environment.ts";
import { encodeListCursor } from "../registry/encode-list-cursor.ts";
import type { EnvironmentPage, ListEnvironmentsQuery, Registry } from "../registry/registry.ts";

/**
 * A page of the environments `sees` lets through (undefined: all), as `listEnvironments` pages them:
 * newest first, `limit` at most, a cursor at the last one given. A person's page is read through
 * the registry's pages until full, so the others' environments are neither shown nor counted.
 */
export async function listVisibleEnvironments(
  registry: Pick<Registry, "listEnvironments">,
  query: ListEnvironmentsQuery,
  sees: ((environment: Environment) => boolean) | undefined,
): Promise<EnvironmentPage> {
  if (!sees) return registry.listEnvironments(query);
  const limit = query.limit ?? 100;
  const found: Environment[] = [];
  let cursor = query.cursor;
  for (;;) {
    const page = await registry.listEnvironments({ ...query, cursor, limit });
    for (const [index, environment] of page.environments.entries()) {
      if (!sees(environment)) continue;
      found.push(environment);
      if (found.length === limit) {
        const more = index < page.environments.length - 1 || page.nextCursor !== undefined;
        return {
          environments: found,
          ...(more && { nextCursor: encodeListCursor(environment.updatedAt, environment.id) }),
        };
      }
    }
    if (!page.nextCursor) return { environments: found };
    cursor = page.nextCursor;
  }
}
