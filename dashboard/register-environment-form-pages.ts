import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { Registry } from "../registry/registry.ts";
import { authorizeEnvironment } from "./authorize-environment.ts";
import type { CopyConfigActions } from "./create-copy-config-actions.ts";
import type { EnvironmentActions } from "./create-environment-actions.ts";
import type { ActionBy, RequestAccess } from "./create-request-access.ts";
import { field, type PageHelpers } from "./page-helpers.ts";

export interface EnvironmentFormPageDeps extends Pick<PageHelpers, "requireChange"> {
  actions: EnvironmentActions;
  copyConfig: CopyConfigActions;
  access: RequestAccess;
  registry: Pick<Registry, "getEnvironment">;
}

/**
 * The environment page's forms: redeploy, a config value, reseed, destroy, extend. Each needs the
 * session's CSRF token and write access to the environment (issue 22), and is recorded under the
 * person (or the token login) who sent it, via the page.
 */
export function registerEnvironmentFormPages(pages: FastifyInstance, deps: EnvironmentFormPageDeps): void {
  const { actions, copyConfig, access, registry, requireChange } = deps;
  const change =
    (
      run: (id: string, form: Record<string, unknown>, by: ActionBy) => Promise<{ jobId?: string; ignored?: string }>,
      done: string,
    ) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      await requireChange(request);
      const { id } = request.params as { id: string };
      const { by } = await authorizeEnvironment(access, registry, request, id, "write");
      const result = await run(id, request.body as Record<string, unknown>, by);
      const outcome = result.ignored ? "unchanged" : done;
      return reply.redirect(`/environments/${encodeURIComponent(id)}?done=${outcome}`, 303);
    };
  pages.post(
    "/environments/:id/redeploy",
    change((id, _form, by) => actions.redeploy(id, by), "redeploy"),
  );
  pages.post(
    "/environments/:id/config",
    change((id, form, by) => {
      const key = field(form.key) ?? "";
      if (!/^[\w.-]+(:[\w.-]+)?$/.test(key))
        throw new StackforkError("INVALID_INPUT", "key must be key or namespace:key");
      const input = { key, value: field(form.value) ?? "", secret: field(form.secret) === "yes" };
      return copyConfig.setConfig(id, input, by);
    }, "config"),
  );
  pages.post(
    "/environments/:id/reseed",
    change((id, _form, by) => copyConfig.reseed(id, by), "reseed"),
  );
  pages.post(
    "/environments/:id/destroy",
    change((id, _form, by) => actions.destroy(id, by), "destroy"),
  );
  pages.post(
    "/environments/:id/extend",
    change((id, form, by) => {
      const hours = Number(field(form.hours));
      if (!Number.isInteger(hours) || hours < 1 || hours > 720)
        throw new StackforkError("INVALID_INPUT", "hours must be a whole number from 1 to 720");
      return actions.extend(id, hours, by);
    }, "extend"),
  );
}
