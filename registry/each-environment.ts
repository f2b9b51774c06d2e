import type { Environment } from "../core/environment.ts";
import type { ListEnvironmentsQuery, Registry } from "./registry.ts";

/** Environments fetched per page by sweeps over all of them. */
const PAGE = 500;

/**
 * Every environment the query matches, newest first, page by page: for the sweeps that go through
 * all of them (expiry, reconcile, orphans, trees in use). Changing an environment while iterating
 * is safe: it moves ahead of the cursor, so it is neither seen twice nor makes another be skipped.
 */
export async function* eachEnvironment(
  registry: Pick<Registry, "listEnvironments">,
  query: Omit<ListEnvironmentsQuery, "limit" | "cursor"> = {},
): AsyncGenerator<Environment> {
  let cursor: string | undefined;
  do {
    const page = await registry.listEnvironments({ ...query, limit: PAGE, cursor });
    yield* page.environments;
    cursor = page.nextCursor;
  } while (cursor);
}
