import { randomBytes } from "node:crypto";
import { awsLambdaFastify } from "@fastify/aws-lambda";
import { buildServer } from "../app/build-server.ts";
import { StackforkError } from "../core/errors.ts";
import { createLambdaRuntime } from "./create-lambda-runtime.ts";
import { oncePerContainer } from "./once-per-container.ts";

/**
 * The dashboard Lambda (Function URL): the same fastify app as `stackfork serve`, pages, API and
 * OpenAPI document, through @fastify/aws-lambda. Reads need the token unless `publicReads` is on
 * (a Function URL is never loopback). Work it queues is woken through SQS by the queue itself.
 */
export function createDashboardHandler(env: NodeJS.ProcessEnv) {
  const ready = oncePerContainer(async () => {
    const runtime = await createLambdaRuntime(env);
    const apiToken = runtime.secrets.apiToken;
    if (!apiToken)
      throw new StackforkError("CONFIG_INVALID", "the dashboard needs STACKFORK_API_TOKEN or STACKFORK_API_TOKEN_ARN");
    const app = await buildServer({
      registry: runtime.registry,
      logger: { level: runtime.config.logLevel },
      isReady: () => true,
      dashboard: {
        apiToken,
        readsOpen: runtime.config.publicReads,
        httpsOnly: true, // a Function URL serves https only: Secure cookies, its routing checks the host
        actions: runtime.createActions(),
        repositories: runtime.config.repositories,
        uploadMaxBytes: runtime.config.uploadMaxBytes,
        listStacks: runtime.listStacks,
        findCloudOrphans: runtime.findCloudOrphans,
        // The reaper's schedule reconciles; here the status, and a run on demand.
        reconciler: await runtime.createReconciler(),
        signIn: runtime.signIn,
        permissions: runtime.permissions,
        now: runtime.now,
      },
      // GitHub's deliveries go to the webhook function; here the route refuses what it cannot verify.
      intake: runtime.intakeDeps(undefined, randomBytes(32).toString("hex")),
    });
    return awsLambdaFastify(app, { callbackWaitsForEmptyEventLoop: false });
  });
  return async (event: unknown, context: Parameters<ReturnType<typeof awsLambdaFastify>>[1]) =>
    (await ready())(event, context);
}

export const handler = createDashboardHandler(process.env);
