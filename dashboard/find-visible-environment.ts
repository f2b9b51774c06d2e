import type { FastifyRequest } from "fastify";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import type { Registry } from "../registry/registry.ts";
import type { RequestAccess } from "./create-request-access.ts";

/**
 * Environment `id` when the request may see it; NOT_FOUND when it does not exist or the request may
 * not see it (a person without read access to its repository): the same answer, so its existence
 * is not told. Run after the route's read check (requireRead, or the page's).
 */
export async function findVisibleEnvironment(
  access: Pick<RequestAccess, "visibility">,
  registry: Pick<Registry, "getEnvironment">,
  request: FastifyRequest,
  id: string,
): Promise<Environment> {
  const environment = await registry.getEnvironment(id);
  const sees = await access.visibility(request);
  if (!environment || (sees && !sees(environment))) throw new StackforkError("NOT_FOUND", `no environment ${id}`);
  return environment;
}
