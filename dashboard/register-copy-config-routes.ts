import type { FastifyInstance } from "fastify";
import type { Registry } from "../registry/registry.ts";
import { bearerSecurity, errorResponses, idParamsSchema } from "./api-schemas.ts";
import { authorizeEnvironment } from "./authorize-environment.ts";
import { configKeyParamsSchema, configListSchema, configSetBodySchema } from "./copy-config-schemas.ts";
import { createCopyConfigActions } from "./create-copy-config-actions.ts";
import type { ActionResult, EnvironmentActions } from "./create-environment-actions.ts";
import type { RequestAccess } from "./create-request-access.ts";
import { actionResultSchema } from "./environment-change-schemas.ts";
import { findVisibleEnvironment } from "./find-visible-environment.ts";

export interface CopyConfigRouteDeps {
  registry: Registry;
  actions: EnvironmentActions;
  access: RequestAccess;
  /** The clock of the history events a reseed writes. @default the system's */
  now?: () => Date;
  /** The configured repositories (a CloudFormation repository's keys are parameter names). @default none */
  repositories?: readonly { name: string; cloudformation?: unknown }[];
}

const changed = {
  202: { ...actionResultSchema, description: "Saved; the copy's redeploy is queued." },
  200: { ...actionResultSchema, description: "Saved; no redeploy queued: `ignored` says why." },
  ...errorResponses,
};

/** A copy's config and seed (issue 19): read its config, set or unset its own values, reseed. */
export function registerCopyConfigRoutes(api: FastifyInstance, deps: CopyConfigRouteDeps): void {
  const copyConfig = createCopyConfigActions({
    registry: deps.registry,
    actions: deps.actions,
    now: deps.now ?? (() => new Date()),
    repositories: deps.repositories,
  });
  const change = { onRequest: deps.access.requireBearer };
  const reply202 = (result: ActionResult) => ({
    ...result.environment,
    ...(result.jobId && { jobId: result.jobId }),
    ...(result.ignored && { ignored: result.ignored }),
  });

  api.get(
    "/api/environments/:id/config",
    {
      onRequest: deps.access.requireRead,
      schema: {
        summary: "A copy's effective config and where each value came from (secrets masked)",
        description:
          "`source`: `template`, `platform` (the config file's overrides), `repository` (.stackfork/config.json in the branch) " +
          "or `environment` (set here); the last deploy's config, with the environment's values set since on top.",
        tags: ["environments"],
        params: idParamsSchema,
        response: { 200: configListSchema, 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      await findVisibleEnvironment(deps.access, deps.registry, request, id);
      return { config: await copyConfig.listConfig(id) };
    },
  );

  api.put(
    "/api/environments/:id/config",
    {
      ...change,
      schema: {
        summary: "Set one of the environment's own config values, and redeploy the copy",
        description:
          "A key without a namespace is the project's own. `secret`: stored and shown masked, encrypted in the copy's state.",
        tags: ["environments"],
        security: bearerSecurity,
        params: idParamsSchema,
        body: configSetBodySchema,
        response: changed,
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { by } = await authorizeEnvironment(deps.access, deps.registry, request, id, "write");
      const result = await copyConfig.setConfig(
        id,
        request.body as { key: string; value: string; secret?: boolean },
        by,
      );
      return reply.code(result.jobId ? 202 : 200).send(reply202(result));
    },
  );

  api.delete(
    "/api/environments/:id/config/:key",
    {
      ...change,
      schema: {
        summary: "Remove one of the environment's own config values, and redeploy the copy",
        tags: ["environments"],
        security: bearerSecurity,
        params: configKeyParamsSchema,
        response: changed,
      },
    },
    async (request, reply) => {
      const { id, key } = request.params as { id: string; key: string };
      const { by } = await authorizeEnvironment(deps.access, deps.registry, request, id, "write");
      const result = await copyConfig.unsetConfig(id, key, by);
      return reply.code(result.jobId ? 202 : 200).send(reply202(result));
    },
  );

  api.post(
    "/api/environments/:id/reseed",
    {
      ...change,
      schema: {
        summary: "Run the repository's seed step again (with a redeploy of the commit last asked for)",
        tags: ["environments"],
        security: bearerSecurity,
        params: idParamsSchema,
        response: changed,
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { by } = await authorizeEnvironment(deps.access, deps.registry, request, id, "write");
      const result = await copyConfig.reseed(id, by);
      return reply.code(result.jobId ? 202 : 200).send(reply202(result));
    },
  );
}
