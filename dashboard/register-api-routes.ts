import type {} from "@fastify/swagger";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EnvironmentKind, EnvironmentStatus } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import type { StackRef } from "../provisioner/list-file-backend-stacks.ts";
import type { CloudOrphan } from "../reaper/find-cloud-orphans.ts";
import { findOrphans } from "../reaper/find-orphans.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import type { Registry } from "../registry/registry.ts";
import {
  actionResultSchema,
  bearerSecurity,
  cloudOrphansSchema,
  environmentKinds,
  environmentSchema,
  environmentStatuses,
  errorResponses,
  errorSchema,
  extendBodySchema,
  historyEventSchema,
  idParamsSchema,
  reconcileBodySchema,
  reconciliationReportSchema,
  reconciliationStatusSchema,
  sandboxBodySchema,
  sandboxQuerySchema,
} from "./api-schemas.ts";
import { type ActionResult, type EnvironmentActions, presignedUploadRequired } from "./create-environment-actions.ts";
import type { RequestAccess } from "./create-request-access.ts";
import { registerUploadRoutes } from "./register-upload-routes.ts";

export interface ApiDeps {
  registry: Registry;
  actions: EnvironmentActions;
  access: RequestAccess;
  /** Largest upload body (compressed). */
  uploadMaxBytes: number;
  /** Every stack in the Pulumi state, for `GET /api/orphans`; absent: the route answers 404. */
  listStacks?: () => StackRef[] | Promise<StackRef[]>;
  /** Cloud resources of `aws`-target copies whose environment is not live; absent: none. */
  findCloudOrphans?: () => Promise<CloudOrphan[]>;
  /** Reconciliation with GitHub; absent (offline): its routes answer 404. */
  reconciler?: GitHubReconciler;
}

/** How API changes are recorded in history when no person is named. */
const API_ACTOR = "api";

/**
 * The JSON API (DESIGN.md's external contract): reads, open on loopback; changes, with the bearer
 * token, each through submitIntent. Every route's schema also documents it in /api/openapi.json.
 */
export async function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { registry, actions, access } = deps;
  await app.register(async (api) => {
    // Response schemas document; JSON.stringify serializes, so no field is ever dropped by them.
    api.setSerializerCompiler(() => (data) => JSON.stringify(data));
    // Only JSON and, for uploads, gzip: a form post or plain text here is a mistake (415).
    api.removeAllContentTypeParsers();
    api.addContentTypeParser("application/json", { parseAs: "string" }, api.getDefaultJsonParser("error", "error"));
    if (actions.uploadsTo === "bucket") {
      // Refused before a byte is read, whatever its size: the bytes go to S3 (POST /api/uploads).
      api.addContentTypeParser("application/gzip", (_r, _payload, done) => done(presignedUploadRequired(), undefined));
    } else {
      api.addContentTypeParser(
        "application/gzip",
        { parseAs: "buffer", bodyLimit: deps.uploadMaxBytes },
        (_r, body, done) => done(null, body),
      );
    }
    const read = { onRequest: access.requireRead };
    const change = { onRequest: access.requireBearer };

    api.get(
      "/api/environments",
      {
        ...read,
        schema: {
          summary: "List environments, newest first",
          tags: ["environments"],
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              status: { type: "string", enum: [...environmentStatuses] },
              kind: { type: "string", enum: [...environmentKinds] },
              repository: { type: "string", maxLength: 200 },
              owner: { type: "string", maxLength: 100 },
              q: { type: "string", maxLength: 200, description: "substring of name, branch or repository" },
              limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
              cursor: { type: "string", maxLength: 500, description: "a previous page's nextCursor" },
              includeDestroyed: { type: "boolean", default: false },
            },
          },
          response: {
            200: {
              type: "object",
              required: ["environments"],
              properties: {
                environments: { type: "array", items: environmentSchema },
                nextCursor: { type: "string" },
              },
            },
            400: errorResponses[400],
            401: errorResponses[401],
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

    api.get(
      "/api/environments/:id",
      {
        ...read,
        schema: {
          summary: "One environment with its history (audit trail), oldest event first",
          tags: ["environments"],
          params: idParamsSchema,
          response: {
            200: {
              ...environmentSchema,
              properties: { ...environmentSchema.properties, events: { type: "array", items: historyEventSchema } },
            },
            401: errorResponses[401],
            404: errorResponses[404],
          },
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const environment = await registry.getEnvironment(id);
        if (!environment) throw new StackforkError("NOT_FOUND", `no environment ${id}`);
        return { ...environment, events: await registry.listEvents(id) };
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
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              after: { type: "integer", minimum: 0, description: "the last seq already read" },
              jobId: { type: "string", maxLength: 100 },
              limit: { type: "integer", minimum: 1, maximum: 5000, default: 1000 },
            },
          },
          response: {
            200: {
              type: "object",
              required: ["lines", "status"],
              properties: {
                lines: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["seq", "jobId", "at", "text"],
                    properties: {
                      seq: { type: "integer" },
                      jobId: { type: "string" },
                      at: { type: "string" },
                      text: { type: "string" },
                    },
                  },
                },
                status: { type: "string", enum: [...environmentStatuses] },
              },
            },
            401: errorResponses[401],
            404: errorResponses[404],
          },
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const q = request.query as { after?: number; jobId?: string; limit: number };
        const environment = await registry.getEnvironment(id);
        if (!environment) throw new StackforkError("NOT_FOUND", `no environment ${id}`);
        return {
          lines: await registry.readLog(id, { afterSeq: q.after, jobId: q.jobId, limit: q.limit }),
          status: environment.status,
        };
      },
    );

    api.get(
      "/api/orphans",
      {
        ...read,
        schema: {
          summary:
            "What the registry, the Pulumi state and the cloud disagree on: stacks no live environment owns, ready environments with no stack, resources tagged for an environment that is not live (target aws)",
          tags: ["environments"],
          response: {
            200: {
              type: "object",
              required: ["stacks", "environments", "resources"],
              properties: {
                stacks: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["project", "stack", "updatedAt"],
                    properties: {
                      project: { type: "string" },
                      stack: { type: "string" },
                      updatedAt: { type: "string" },
                      environment: { type: "string", description: "its environment, destroyed" },
                    },
                  },
                },
                environments: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["id", "repository", "status", "updatedAt"],
                    properties: {
                      id: { type: "string" },
                      repository: { type: "string" },
                      status: { type: "string", enum: [...environmentStatuses] },
                      updatedAt: { type: "string" },
                    },
                  },
                },
                resources: cloudOrphansSchema,
              },
            },
            401: errorResponses[401],
            404: errorResponses[404],
          },
        },
      },
      async () => {
        if (!deps.listStacks) throw new StackforkError("NOT_FOUND", "this server keeps no Pulumi state of its own");
        const [orphans, resources] = await Promise.all([
          findOrphans(registry, await deps.listStacks()),
          deps.findCloudOrphans?.() ?? [],
        ]);
        return { ...orphans, resources };
      },
    );

    api.post(
      "/api/environments",
      {
        ...change,
        schema: {
          summary: "Create or update a sandbox from a ref (JSON) or from a working tree (gzip tarball)",
          description:
            "JSON `{ repository, owner, ref? }` deploys a branch or commit of the repository's configured clone. " +
            "A gzip tarball of the repository's root (Content-Type: application/gzip, `repository` and `owner` in the " +
            "query) deploys that tree; a server that keeps uploads in S3 (GET /api/uploads/config) answers it 415 " +
            "PRESIGNED_UPLOAD_REQUIRED and takes JSON `{ repository, owner, uploadId }` instead, after POST /api/uploads " +
            "and the PUT. One sandbox per owner and repository: asking again updates it.",
          tags: ["sandboxes"],
          security: bearerSecurity,
          querystring: sandboxQuerySchema,
          body: {
            content: {
              "application/json": { schema: sandboxBodySchema },
              // Validated as bytes by the upload's extraction; the OpenAPI document says binary.
              "application/gzip": { schema: { description: "a gzip tarball of the repository's root" } },
            },
          },
          response: {
            202: { ...actionResultSchema, description: "Queued." },
            200: { ...actionResultSchema, description: "Nothing queued: `ignored` says why." },
            ...errorResponses,
            409: { ...errorSchema, description: "QUOTA_EXCEEDED: the owner has as many sandboxes as allowed." },
            413: { ...errorSchema, description: "The upload is too large." },
            415: {
              ...errorSchema,
              description: "Neither JSON nor gzip; or PRESIGNED_UPLOAD_REQUIRED: this server takes uploads through S3.",
            },
            422: {
              ...errorSchema,
              description:
                "The upload is not a safe, readable tarball (ARCHIVE_*); SOURCE_NOT_FOUND: no such uploadId.",
            },
          },
        },
      },
      async (request, reply) => {
        const input = readSandboxInput(request);
        const result = await actions.requestSandbox({ ...input, via: API_ACTOR });
        return reply.code(statusOf(result)).send(flatten(result));
      },
    );

    api.post(
      "/api/environments/:id/redeploy",
      {
        ...change,
        schema: {
          summary: "Deploy again the commit last asked for",
          tags: ["environments"],
          security: bearerSecurity,
          params: idParamsSchema,
          response: {
            202: { ...actionResultSchema, description: "Queued." },
            200: { ...actionResultSchema, description: "Nothing queued: `ignored` says why." },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const result = await actions.redeploy(id, API_ACTOR);
        return reply.code(statusOf(result)).send(flatten(result));
      },
    );

    api.delete(
      "/api/environments/:id",
      {
        ...change,
        schema: {
          summary: "Destroy an environment",
          tags: ["environments"],
          security: bearerSecurity,
          params: idParamsSchema,
          response: {
            202: { ...actionResultSchema, description: "Queued." },
            200: { ...actionResultSchema, description: "Already destroyed: `ignored` says so." },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const result = await actions.destroy(id, API_ACTOR);
        return reply.code(statusOf(result)).send(flatten(result));
      },
    );

    api.post(
      "/api/environments/:id/extend",
      {
        ...change,
        schema: {
          summary: "Push an environment's expiry back",
          tags: ["environments"],
          security: bearerSecurity,
          params: idParamsSchema,
          body: extendBodySchema,
          response: {
            200: { ...actionResultSchema, description: "Extended, or `ignored` (why not)." },
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const { hours } = request.body as { hours: number };
        return flatten(await actions.extend(id, hours, API_ACTOR));
      },
    );

    api.post(
      "/api/reconcile",
      {
        ...change,
        schema: {
          summary: "Reconcile with GitHub now: branches, open pull requests, missed deliveries",
          description:
            "Per configured repository, compares GitHub's branches and open pull requests with the environments " +
            "and carries out what missed deliveries would have done (actor `stackfork`, the reason in history); " +
            "then asks GitHub to redeliver failed deliveries. `dryRun` lists the same decisions and changes nothing.",
          tags: ["reconciliation"],
          security: bearerSecurity,
          body: reconcileBodySchema,
          response: {
            200: reconciliationReportSchema,
            ...errorResponses,
            404: { ...errorSchema, description: "This server has no GitHub credentials." },
          },
        },
      },
      async (request) => {
        const reconciler = requireReconciler(deps);
        const body = (request.body ?? {}) as { dryRun?: boolean; repository?: string };
        return reconciler.reconcile({ dryRun: body.dryRun === true, repository: body.repository });
      },
    );

    api.get(
      "/api/reconciliation",
      {
        ...read,
        schema: {
          summary: "The last reconciliation of each repository, environments behind their branch, redeliveries asked",
          tags: ["reconciliation"],
          response: {
            200: reconciliationStatusSchema,
            401: errorResponses[401],
            404: { ...errorSchema, description: "This server has no GitHub credentials." },
          },
        },
      },
      async () => requireReconciler(deps).readStatus(),
    );

    registerUploadRoutes(api, { actions, access, uploadMaxBytes: deps.uploadMaxBytes });

    api.get(
      "/api/openapi.json",
      { ...read, schema: { summary: "This document", tags: ["meta"], hide: true } },
      async () => app.swagger(),
    );
  });
}

function requireReconciler(deps: ApiDeps): GitHubReconciler {
  if (!deps.reconciler)
    throw new StackforkError("NOT_FOUND", "this server has no GitHub credentials: nothing to reconcile with");
  return deps.reconciler;
}

function readSandboxInput(request: FastifyRequest): {
  repository: string;
  owner: string;
  ref?: string;
  upload?: Buffer;
  uploadId?: string;
} {
  if (Buffer.isBuffer(request.body)) {
    const { repository, owner } = request.query as { repository?: string; owner?: string };
    if (!repository || !owner) {
      throw new StackforkError(
        "INVALID_INPUT",
        "an upload needs ?repository=<owner/name>&owner=<login> in the query string",
      );
    }
    if (request.body.length === 0) throw new StackforkError("INVALID_INPUT", "the upload is empty");
    return { repository, owner, upload: request.body };
  }
  if (!request.body)
    throw new StackforkError("INVALID_INPUT", "send JSON { repository, owner, ref? }, or a gzip tarball");
  return request.body as { repository: string; owner: string; ref?: string; uploadId?: string };
}

function statusOf(result: ActionResult): 200 | 202 {
  return result.jobId ? 202 : 200;
}

function flatten(result: ActionResult) {
  return {
    ...result.environment,
    ...(result.jobId && { jobId: result.jobId }),
    ...(result.ignored && { ignored: result.ignored }),
  };
}
