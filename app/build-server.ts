import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import cookie from "@fastify/cookie";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifySchemaValidationError,
  type FastifyServerFactory,
  LogController,
} from "fastify";
import { createPermissionCheck, type PermissionCheck } from "../access/check-permission.ts";
import type { Environment } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createAuth } from "../dashboard/create-auth.ts";
import { createEnvironmentActions, type EnvironmentActions } from "../dashboard/create-environment-actions.ts";
import { createRequestAccess } from "../dashboard/create-request-access.ts";
import { describeErrorForUser } from "../dashboard/describe-error-for-user.ts";
import { registerApiRoutes } from "../dashboard/register-api-routes.ts";
import { registerOpenApi } from "../dashboard/register-openapi.ts";
import { registerPageRoutes } from "../dashboard/register-page-routes.ts";
import { renderPage } from "../dashboard/render-page.ts";
import type { ShareLinks } from "../preview-router/create-share-links.ts";
import { presentRegistryReads } from "../preview-router/present-registry-reads.ts";
import type { StackRef } from "../provisioner/list-file-backend-stacks.ts";
import type { CloudOrphan } from "../reaper/find-cloud-orphans.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import type { Registry } from "../registry/registry.ts";
import type { GitHubSignInClient, PersonSessions } from "../sign-in/sign-in-options.ts";
import { createSignInStates } from "../sign-in/sign-in-state.ts";
import { html } from "../web/html.ts";
import type { ReceiveDeliveryDeps } from "../webhook/receive-delivery.ts";
import { registerWebhookRoute, WEBHOOK_PATH } from "../webhook/register-webhook-route.ts";

export interface DashboardOptions {
  /** The bearer token of every change, and the key of dashboard sessions. */
  apiToken: string;
  /** Reads need no token: loopback, or `publicReads`. */
  readsOpen: boolean;
  /**
   * Names people reach the dashboard by, besides loopback names and the server's own address
   * (`name` or `name:port`): open reads under any other Host are refused (DNS rebinding).
   * @default []
   * @example ["stackfork.acme.dev"]
   */
  allowedHosts?: readonly string[];
  /** Where the server listens (HOST): a name it is bound to is one the Host header may carry. */
  listen?: { host: string };
  /**
   * A reverse proxy in front: its X-Forwarded-Proto and X-Forwarded-Host are believed (fastify's
   * `trustProxy`: `true` for any hop, or the proxies' addresses). Only when nothing else can reach
   * the server. @default false
   */
  trustProxy?: boolean | string | string[];
  /**
   * TLS always ends in front of the app (a Lambda Function URL): session cookies are always
   * `Secure`, and the Host check is left to the front. @default false
   */
  httpsOnly?: boolean;
  actions: EnvironmentActions;
  repositories: readonly RepositoryConfig[];
  /** Largest sandbox upload, compressed. */
  uploadMaxBytes: number;
  /** Every stack in the Pulumi state (`GET /api/orphans`). */
  listStacks?: () => StackRef[] | Promise<StackRef[]>;
  /** Cloud resources of `aws`-target copies whose environment is not live (`GET /api/orphans`); absent: none. */
  findCloudOrphans?: () => Promise<CloudOrphan[]>;
  /** Reconciliation with GitHub (`POST /api/reconcile`, the dashboard's last reconciliation); absent offline. */
  reconciler?: GitHubReconciler;
  /** The Environment JSON as shown (preview-router/: routed `url`, `directUrl`); absent: as stored. */
  presentEnvironment?: (environment: Environment) => Environment;
  /** Share links of previews (API, the environment page); absent where no preview router runs. */
  shareLinks?: ShareLinks;
  /** Sign-in with GitHub, web and `stackfork login` (issue 22); absent: off. */
  signIn?: {
    client: GitHubSignInClient;
    sessions: PersonSessions;
    /** Where browsers reach the dashboard (STACKFORK_PUBLIC_URL): GitHub's callback; absent: the request's host. */
    publicUrl?: string;
  };
  /**
   * What people and named tokens may do (issue 22: access/check-permission.ts, with GitHub's
   * answers); absent: named tokens by their scopes, people only their own sandboxes.
   */
  permissions?: PermissionCheck;
  now: () => Date;
}

export interface ServerDeps {
  registry: Registry;
  intake: Omit<ReceiveDeliveryDeps, "log">;
  /** Absent (tests of other parts): reads open, and no token opens the changes. */
  dashboard?: DashboardOptions;
  /** pino options, or false in tests. */
  logger: boolean | object;
  /** `GET /healthz` answers 200 only once this says so. */
  isReady: () => boolean;
  /** The HTTP server (preview-router/create-preview-server-factory.ts: preview hosts go to the router first). */
  serverFactory?: FastifyServerFactory;
}

/** The embedded HTTP app, without `listen`: tests use `app.inject()`, serve.ts listens. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger,
    ...(deps.serverFactory && { serverFactory: deps.serverFactory }),
    trustProxy: deps.dashboard?.trustProxy ?? false,
    requestIdHeader: "x-request-id",
    // Deliveries log one line each themselves (register-webhook-route.ts).
    logController: new LogController({
      disableRequestLogging: (request) => (request as { url?: string }).url?.split("?")[0] === WEBHOOK_PATH,
    }),
    // Say which schema rule failed, in words: `body/owner must match pattern ... (a GitHub login: ...)`.
    // An unknown field is a mistake to report, not to drop silently (fastify's default).
    ajv: { customOptions: { verbose: true, removeAdditional: false } },
    schemaErrorFormatter: (errors, dataVar) => new Error(errors.map((e) => describeSchemaError(e, dataVar)).join("; ")),
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, code, message } = describeErrorForUser(err);
    if (status >= 500) request.log.error({ err }, "request failed");
    return reply.code(status).send({ error: { code, message } });
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `no route ${request.method} ${request.url.split("?")[0]}`;
    if (!request.url.startsWith("/api/") && request.headers.accept?.includes("text/html")) {
      const page = renderPage(
        { title: "Not found", loggedIn: false },
        html`<h1>Not found</h1><p>${message}. <a href="/">Back to the environments</a></p>`,
      );
      return reply.code(404).type("text/html; charset=utf-8").send(page);
    }
    return reply.code(404).send({ error: { code: "NOT_FOUND", message } });
  });

  const dashboard = deps.dashboard ?? closedDashboard(deps);
  const reads = dashboard.presentEnvironment
    ? presentRegistryReads(deps.registry, dashboard.presentEnvironment)
    : deps.registry;
  const auth = createAuth({ apiToken: dashboard.apiToken });
  const access = createRequestAccess({
    auth,
    // Once people sign in, each sees only their repositories' environments: nothing is open to nobody.
    readsOpen: dashboard.readsOpen && !dashboard.signIn,
    hosts: { allowedHosts: dashboard.allowedHosts, listen: dashboard.listen },
    httpsOnly: dashboard.httpsOnly,
    revocations: deps.registry,
    people: deps.registry,
    permissions:
      dashboard.permissions ??
      createPermissionCheck({ repositories: dashboard.repositories.map((r) => r.name), now: dashboard.now }),
    now: dashboard.now,
  });
  await registerOpenApi(app);
  await app.register(cookie);
  app.get("/healthz", { schema: { summary: "200 once ready", tags: ["meta"] } }, async (_request, reply) =>
    deps.isReady() ? { status: "ok" } : reply.code(503).send({ status: "starting" }),
  );
  await registerWebhookRoute(app, { ...deps.intake, log: app.log });
  await registerApiRoutes(app, {
    registry: reads,
    actions: dashboard.actions,
    access,
    uploadMaxBytes: dashboard.uploadMaxBytes,
    listStacks: dashboard.listStacks,
    findCloudOrphans: dashboard.findCloudOrphans,
    reconciler: dashboard.reconciler,
    shareLinks: dashboard.shareLinks,
    presentEnvironment: dashboard.presentEnvironment,
    repositories: dashboard.repositories,
    signIn: dashboard.signIn,
    now: dashboard.now,
  });
  await registerPageRoutes(app, {
    registry: reads,
    actions: dashboard.actions,
    auth,
    access,
    repositories: dashboard.repositories,
    reconciler: dashboard.reconciler,
    shareLinks: dashboard.shareLinks,
    // The sign-in state is sealed with the API token's key, as sessions are: every instance checks it.
    signIn: dashboard.signIn && { ...dashboard.signIn, states: createSignInStates(dashboard.apiToken) },
    now: dashboard.now,
  });
  return app;
}

function closedDashboard({ registry, intake }: ServerDeps): DashboardOptions {
  return {
    apiToken: randomBytes(32).toString("hex"),
    readsOpen: true,
    actions: createEnvironmentActions({
      registry,
      queue: intake.queue,
      nameMaxLength: intake.nameMaxLength,
      repositories: [],
      uploads: { dir: path.join(tmpdir(), "stackfork-no-uploads"), maxBytes: 0, maxEntries: 0 },
      now: intake.now,
    }),
    repositories: [],
    uploadMaxBytes: 0,
    now: intake.now,
  };
}

/** An ajv error (verbose: with its schema) in words a person can act on. */
function describeSchemaError(error: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${error.instancePath}`;
  const schema = (error as { parentSchema?: { description?: string; properties?: object } }).parentSchema;
  const params = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (error.keyword === "additionalProperties") {
    const known = Object.keys(schema?.properties ?? {}).join(", ");
    return `${where} has an unknown field "${params.additionalProperty}" (known: ${known})`;
  }
  if (error.keyword === "enum") return `${where} must be one of: ${params.allowedValues?.join(", ")}`;
  return `${where} ${error.message}${schema?.description ? ` (${schema.description})` : ""}`;
}
