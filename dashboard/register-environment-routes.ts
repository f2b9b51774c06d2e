import type { FastifyInstance } from "fastify";
import { listVisibleEnvironments } from "../access/list-visible-environments.ts";
import type { EnvironmentKind, EnvironmentStatus } from "../core/environment.ts";
import { viewCopyConfig } from "../core/view-copy-config.ts";
import type { Registry } from "../registry/registry.ts";
import { errorResponses, idParamsSchema } from "./api-schemas.ts";
import type { RequestAccess } from "./create-request-access.ts";
import {
  environmentDetailSchema,
  environmentListQuerySchema,
  environmentListSchema,
  logPageSchema,
  logQuerySchema,
} from "./environment-schemas.ts";
import { findVisibleEnvironment } from "./find-visible-environment.ts";

export interface EnvironmentRouteDeps {
  registry: Registry;
  access: RequestAccess;
}

/** The environment reads: the list, one environment with its history, its engine log. */
export function registerEnvironmentRoutes(api: FastifyInstance, deps: EnvironmentRouteDeps): void {
  const { registry, access } = deps;
  const read = { onRequest: access.requireRead };

  api.get(
    "/api/environments",
    {
      ...read,
      schema: {
        summary: "List environments, newest first",
        tags: ["environments"],
        querystring: environmentListQuerySchema,
        response: { 200: environmentListSchema, 400: errorResponses[400], 401: errorResponses[401] },
      },
    },
    async (request) => {
      const q = request.query as {
        status?: EnvironmentStatus;
        kind?: EnvironmentKind;
        repository?: string;
        owner?: string;
        q?: string;
        limit: number;
        cursor?: string;
        includeDestroyed: boolean;
      };
      const query = {
        status: q.status,
        kind: q.kind,
        repository: q.repository,
        owner: q.owner,
        search: q.q,
        limit: q.limit,
        cursor: q.cursor,
        includeDestroyed: q.includeDestroyed,
      };
      const page = await listVisibleEnvironments(registry, query, await access.visibility(request));
      return { environments: page.environments, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  );

  api.get(
    "/api/environments/:id",
    {
      ...read,
      schema: {
        summary: "One environment with its history (audit trail), oldest event first",
        tags: ["environments"],
        params: idParamsSchema,
        response: { 200: environmentDetailSchema, 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const environment = await findVisibleEnvironment(access, registry, request, id);
      const config = viewCopyConfig(await registry.readEffectiveConfig(id), await registry.listConfigOverrides(id));
      return { ...environment, events: await registry.listEvents(id), config };
    },
  );

  api.get(
    "/api/environments/:id/logs",
    {
      ...read,
      schema: {
        summary: "The engine log of an environment's jobs, in order",
        tags: ["environments"],
        params: idParamsSchema,
        querystring: logQuerySchema,
        response: { 200: logPageSchema, 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as { after?: number; jobId?: string; limit: number };
      const environment = await findVisibleEnvironment(access, registry, request, id);
      return {
        lines: await registry.readLog(id, { afterSeq: q.after, jobId: q.jobId, limit: q.limit }),
        status: environment.status,
      };
    },
  );
}
