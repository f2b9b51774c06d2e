import type { FastifyRequest } from "fastify";
import type { AccessNeed } from "../access/check-permission.ts";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import type { Registry } from "../registry/registry.ts";
import type { ActionBy, RequestAccess } from "./create-request-access.ts";

/**
 * Who may do `need` to environment `id`, for history; NOT_FOUND for one that does not exist or that
 * the request may not see (the same answer: its existence is not told), FORBIDDEN for one it may
 * see and not change.
 */
export async function authorizeEnvironment(
  access: Pick<RequestAccess, "authorize">,
  registry: Pick<Registry, "getEnvironment">,
  request: FastifyRequest,
  id: string,
  need: AccessNeed,
): Promise<{ by: ActionBy; environment: Environment }> {
  const environment = await registry.getEnvironment(id);
  if (!environment) throw new StackforkError("NOT_FOUND", `no environment ${id}`);
  return { by: await access.authorize(request, need, environment), environment };
}
