import { randomUUID } from "node:crypto";
import path from "node:path";
import { requirePulumiCli } from "../provisioner/pulumi-cli.ts";
import { parseWake } from "../queue/parse-wake.ts";
import { createLambdaRuntime } from "./create-lambda-runtime.ts";
import { linkBakedPlugins } from "./link-baked-plugins.ts";
import { oncePerContainer } from "./once-per-container.ts";

/** The parts of Lambda's SQS event the worker reads (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). */
export interface SqsEvent {
  Records: { messageId: string; body: string; attributes?: { MessageGroupId?: string } }[];
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface WorkerHandlerOptions {
  /** Tests: stop the engine this long before the deadline. @default 60_000 (a clean stop takes a while) */
  deadlineMarginMs?: number;
}

/** Where the worker image keeps its plugins (platform/worker.Dockerfile). */
const DEFAULT_BAKED_PLUGINS = "/opt/pulumi/plugins";

/**
 * The worker Lambda (container image, fed by the FIFO queue with ReportBatchItemFailures): each
 * record wakes one environment, whose due jobs run through `worker.handleWake`, the function
 * `stackfork serve` calls for the same wakes. The engine is stopped before the invocation's deadline
 * and the job handed back (DEPLOY_TIMEOUT). A record that could not be handled is reported with every
 * later one of the batch: FIFO order must not be broken.
 */
export function createWorkerHandler(env: NodeJS.ProcessEnv, options: WorkerHandlerOptions = {}) {
  const ready = oncePerContainer(async () => {
    const runtime = await createLambdaRuntime(env);
    const linked = linkBakedPlugins(
      runtime.config.toolEnv.STACKFORK_PLUGINS_DIR ?? DEFAULT_BAKED_PLUGINS,
      path.join(runtime.dirs.state, "home"),
    );
    const provisioner = await runtime.createProvisioner(requirePulumiCli(runtime.config.toolEnv));
    const worker = runtime.createWorker(provisioner, {
      // Leases are per container: a container that died leaves its lease to expire.
      workerId: `lambda-${randomUUID()}`,
      deadlineMarginMs: options.deadlineMarginMs,
    });
    runtime.log.info({ plugins: linked }, "worker ready");
    return { runtime, worker };
  });

  return async (event: SqsEvent, context: LambdaContext): Promise<SqsBatchResponse> => {
    const { runtime, worker } = await ready();
    const failures: string[] = [];
    for (const record of event.Records) {
      if (failures.length > 0) {
        failures.push(record.messageId);
        continue;
      }
      const wake = parseWake(record.body);
      if (!wake.ok) {
        runtime.log.warn({ messageId: record.messageId, reason: wake.reason }, "wake dropped: unreadable");
        continue;
      }
      try {
        const outcome = await worker.handleWake(wake.body.environmentId, {
          remainingMs: () => context.getRemainingTimeInMillis(),
        });
        runtime.log.info({ environment: wake.body.environmentId, ...outcome }, "wake handled");
      } catch (err) {
        runtime.log.error({ err, environment: wake.body.environmentId }, "wake failed: it comes back");
        failures.push(record.messageId);
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = createWorkerHandler(process.env);
