import type { FastifyInstance } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { StackRef } from "../provisioner/list-file-backend-stacks.ts";
import type { CloudOrphan } from "../reaper/find-cloud-orphans.ts";
import { findOrphans } from "../reaper/find-orphans.ts";
import type { Registry } from "../registry/registry.ts";
import { errorResponses } from "./api-schemas.ts";
import type { RequestAccess } from "./create-request-access.ts";
import { orphansSchema } from "./orphan-schemas.ts";

export interface OrphanRouteDeps {
  registry: Registry;
  access: RequestAccess;
  /** Every stack in the Pulumi state; absent: the route answers 404. */
  listStacks?: () => StackRef[] | Promise<StackRef[]>;
  /** Cloud resources of `aws`-target copies whose environment is not live; absent: none. */
  findCloudOrphans?: () => Promise<CloudOrphan[]>;
}

/** What the registry, the Pulumi state and the cloud disagree on. */
export function registerOrphanRoutes(api: FastifyInstance, deps: OrphanRouteDeps): void {
  api.get(
    "/api/orphans",
    {
      onRequest: deps.access.requireAdminRead,
      schema: {
        summary:
          "What the registry, the Pulumi state and the cloud disagree on: stacks no live environment owns, ready environments with no stack, resources tagged for an environment that is not live (target aws)",
        tags: ["environments"],
        response: { 200: orphansSchema, 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async () => {
      if (!deps.listStacks) throw new StackforkError("NOT_FOUND", "this server keeps no Pulumi state of its own");
      const [orphans, resources] = await Promise.all([
        findOrphans(deps.registry, await deps.listStacks()),
        deps.findCloudOrphans?.() ?? [],
      ]);
      return { ...orphans, resources };
    },
  );
}
