import type { FastifyInstance } from "fastify";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import { totalEnvironmentCosts } from "../cost/total-environment-costs.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";
import { errorResponses, idParamsSchema } from "./api-schemas.ts";
import { costDetailSchema, costTotalsQuerySchema, costTotalsSchema } from "./cost-schemas.ts";
import type { RequestAccess } from "./create-request-access.ts";
import { findVisibleEnvironment } from "./find-visible-environment.ts";

export interface CostRouteDeps {
  registry: Registry;
  access: RequestAccess;
}

/**
 * What environments cost (issue 21), as the maintenance run last measured it: nothing here
 * measures. The figures of each environment ride on the Environment JSON (`cost`).
 */
export function registerCostRoutes(api: FastifyInstance, deps: CostRouteDeps): void {
  const { registry, access } = deps;
  const read = { onRequest: access.requireRead };

  api.get(
    "/api/cost",
    {
      ...read,
      schema: {
        summary: "Cost totals of the live environments per repository or per owner, and over all",
        tags: ["cost"],
        querystring: costTotalsQuerySchema,
        response: { 200: costTotalsSchema, 400: errorResponses[400], 401: errorResponses[401] },
      },
    },
    async (request) => {
      const { by } = request.query as { by: "repository" | "owner" };
      // A person's totals are of what they may see (issue 22): others' repositories are not even counted.
      const sees = await access.visibility(request);
      async function* visible(): AsyncGenerator<Environment> {
        for await (const environment of eachEnvironment(registry)) if (!sees || sees(environment)) yield environment;
      }
      const { groups, total } = await totalEnvironmentCosts(visible(), [by]);
      return { by, groups: groups[by], total };
    },
  );

  api.get(
    "/api/environments/:id/cost",
    {
      ...read,
      schema: {
        summary: "The last cost measurement's detail: the daily series, the usage behind it, what is stored",
        tags: ["cost"],
        params: idParamsSchema,
        response: { 200: costDetailSchema, 401: errorResponses[401], 404: errorResponses[404] },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      await findVisibleEnvironment(access, registry, request, id);
      const detail = await registry.readCostDetail(id);
      if (!detail) throw new StackforkError("NOT_FOUND", `environment ${id} has not been measured yet`);
      return detail;
    },
  );
}
