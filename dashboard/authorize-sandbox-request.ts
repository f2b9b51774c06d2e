import type { FastifyRequest } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { Registry } from "../registry/registry.ts";
import type { ActionBy, RequestAccess } from "./create-request-access.ts";

/**
 * Who may ask for `owner`'s sandbox of `repository`: write access to the repository, or the
 * sandbox already being the person's own (theirs whatever their permission). A person asks for
 * their own sandbox; someone else's needs an admin. Tokens by their scopes.
 */
export async function authorizeSandboxRequest(
  access: Pick<RequestAccess, "authorize" | "principal">,
  registry: Pick<Registry, "findEnvironment">,
  request: FastifyRequest,
  { repository, owner }: { repository: string; owner: string },
): Promise<ActionBy> {
  const who = await access.principal(request);
  if (who?.kind === "person" && who.login.toLowerCase() !== owner.toLowerCase()) {
    try {
      return await access.authorize(request, "admin");
    } catch (err) {
      throw new StackforkError("FORBIDDEN", `${who.login} may ask for their own sandbox only, not ${owner}'s`, {
        cause: err,
      });
    }
  }
  const existing = await registry.findEnvironment({ kind: "sandbox", repository, owner, branch: "" });
  if (existing && existing.status !== "destroyed") return access.authorize(request, "write", existing);
  return access.authorize(request, "write", { repository });
}
