import type { FastifyInstance } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import { bearerSecurity, errorResponses, errorSchema } from "./api-schemas.ts";
import type { RequestAccess } from "./create-request-access.ts";
import {
  reconcileBodySchema,
  reconciliationReportSchema,
  reconciliationStatusSchema,
} from "./reconciliation-schemas.ts";

export interface ReconciliationRouteDeps {
  access: RequestAccess;
  /** Reconciliation with GitHub; absent (offline): these routes answer 404. */
  reconciler?: GitHubReconciler;
}

/** Reconciliation with GitHub: run it now (bearer token), and read how the last runs went. */
export function registerReconciliationRoutes(api: FastifyInstance, deps: ReconciliationRouteDeps): void {
  api.post(
    "/api/reconcile",
    {
      onRequest: deps.access.requireBearer,
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
      // Platform-wide: a person needs to be an admin, a named token the write scope.
      await deps.access.authorize(request, "write");
      const reconciler = requireReconciler(deps);
      const body = (request.body ?? {}) as { dryRun?: boolean; repository?: string };
      return reconciler.reconcile({ dryRun: body.dryRun === true, repository: body.repository });
    },
  );

  api.get(
    "/api/reconciliation",
    {
      onRequest: deps.access.requireAdminRead,
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
}

function requireReconciler(deps: ReconciliationRouteDeps): GitHubReconciler {
  if (!deps.reconciler)
    throw new StackforkError("NOT_FOUND", "this server has no GitHub credentials: nothing to reconcile with");
  return deps.reconciler;
}
