import type { FastifyInstance } from "fastify";
import type { EnvironmentKind, EnvironmentStatus } from "../core/environment.ts";
import type { Registry } from "../registry/registry.ts";

const statuses: readonly EnvironmentStatus[] = [
  "queued",
  "deploying",
  "ready",
  "failed",
  "destroying",
  "destroyed",
  "awaiting_approval",
];
const kinds: readonly EnvironmentKind[] = ["branch", "pull_request", "sandbox"];

export interface ApiDeps {
  registry: Registry;
}

/** The read side of the JSON API (DESIGN.md's contract). Mutations come with the dashboard issue. */
export async function registerApiRoutes(app: FastifyInstance, { registry }: ApiDeps): Promise<void> {
  app.get(
    "/api/environments",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            status: { type: "string", enum: [...statuses] },
            kind: { type: "string", enum: [...kinds] },
            repository: { type: "string", maxLength: 200 },
            owner: { type: "string", maxLength: 100 },
            q: { type: "string", maxLength: 200 },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
            cursor: { type: "string", maxLength: 500 },
            includeDestroyed: { type: "boolean", default: false },
          },
        },
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
      const page = await registry.listEnvironments({
        status: q.status,
        kind: q.kind,
        repository: q.repository,
        owner: q.owner,
        search: q.q,
        limit: q.limit,
        cursor: q.cursor,
        includeDestroyed: q.includeDestroyed,
      });
      return { environments: page.environments, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  );

  app.get("/api/environments/:id", async (request, reply) => {
    const { id } = request.params as { id: string };
    const environment = await registry.getEnvironment(id);
    if (!environment) return reply.code(404).send({ error: { code: "NOT_FOUND", message: `no environment ${id}` } });
    return { ...environment, events: await registry.listEvents(id) };
  });

  app.get(
    "/api/environments/:id/logs",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            after: { type: "integer", minimum: 0 },
            jobId: { type: "string", maxLength: 100 },
            limit: { type: "integer", minimum: 1, maximum: 5000, default: 1000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const q = request.query as { after?: number; jobId?: string; limit: number };
      const environment = await registry.getEnvironment(id);
      if (!environment) return reply.code(404).send({ error: { code: "NOT_FOUND", message: `no environment ${id}` } });
      return {
        lines: await registry.readLog(id, { afterSeq: q.after, jobId: q.jobId, limit: q.limit }),
        status: environment.status,
      };
    },
  );
}
