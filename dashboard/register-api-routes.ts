import type { FastifyInstance } from "fastify";
import type { Environment } from "../core/environment.ts";
import { presentEnvironmentPayload } from "../preview-router/present-environment-payload.ts";
import type { StackRef } from "../provisioner/list-file-backend-stacks.ts";
import type { CloudOrphan } from "../reaper/find-cloud-orphans.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import type { Registry } from "../registry/registry.ts";
import { configureApiScope } from "./configure-api-scope.ts";
import type { EnvironmentActions } from "./create-environment-actions.ts";
import type { RequestAccess } from "./create-request-access.ts";
import { registerCopyConfigRoutes } from "./register-copy-config-routes.ts";
import { registerCostRoutes } from "./register-cost-routes.ts";
import { type DeviceLoginDeps, registerDeviceLoginRoutes } from "./register-device-login-routes.ts";
import { registerEnvironmentChangeRoutes } from "./register-environment-change-routes.ts";
import { registerEnvironmentRoutes } from "./register-environment-routes.ts";
import { registerOpenApiDocumentRoute } from "./register-openapi-document-route.ts";
import { registerOrphanRoutes } from "./register-orphan-routes.ts";
import { registerReconciliationRoutes } from "./register-reconciliation-routes.ts";
import { registerShareRoutes, type ShareRouteDeps } from "./register-share-routes.ts";
import { registerTokenRoutes } from "./register-token-routes.ts";
import { registerUploadRoutes } from "./register-upload-routes.ts";
import { showCostAsNull } from "./show-cost-as-null.ts";

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
  /** Share links of previews; absent where no preview router runs. */
  shareLinks?: ShareRouteDeps["shareLinks"];
  /** The Environment JSON as shown (routed `url`, `directUrl`): the reads come presented, a change's answer is here. */
  presentEnvironment?: (environment: Environment) => Environment;
  /** The configured repositories (a CloudFormation repository's config keys are parameter names). @default none */
  repositories?: readonly { name: string; cloudformation?: unknown }[];
  /** The clock of what the routes record themselves (a named token's creation). @default the system's */
  now?: () => Date;
  /** `stackfork login` (issue 22); absent: off. */
  signIn?: DeviceLoginDeps["signIn"];
}

/**
 * The JSON API (DESIGN.md's external contract): reads, open on loopback; changes, with the bearer
 * token, each through submitIntent. Every route's schema also documents it in /api/openapi.json,
 * in the order registered here.
 */
export async function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(async (api) => {
    configureApiScope(api, deps);
    const present = deps.presentEnvironment;
    if (present)
      api.addHook("preSerialization", async (_request, _reply, payload) => presentEnvironmentPayload(payload, present));
    // Issue 21: `cost` is null, not absent, before an environment's first measurement.
    api.addHook("preSerialization", async (_request, _reply, payload) => showCostAsNull(payload));
    registerEnvironmentRoutes(api, deps);
    registerOrphanRoutes(api, deps);
    registerEnvironmentChangeRoutes(api, deps);
    registerCopyConfigRoutes(api, deps);
    registerReconciliationRoutes(api, deps);
    registerUploadRoutes(api, deps);
    registerShareRoutes(api, deps);
    registerCostRoutes(api, deps);
    registerDeviceLoginRoutes(api, deps);
    registerTokenRoutes(api, deps);
    registerOpenApiDocumentRoute(api, app, deps.access);
  });
}
