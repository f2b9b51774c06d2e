import { createWebhookLambdaHandler, type HttpApiEvent } from "../webhook/create-webhook-lambda-handler.ts";
import { createLambdaRuntime } from "./create-lambda-runtime.ts";
import { oncePerContainer } from "./once-per-container.ts";

/**
 * The webhook Lambda (Function URL, payload format 2.0): verify, remember the delivery, the event
 * policy, enqueue (DynamoDB) and wake (SQS FIFO), answer within GitHub's 10 seconds. The same
 * `receiveDelivery` as `stackfork serve`'s route.
 */
export function createWebhookHandler(env: NodeJS.ProcessEnv) {
  const ready = oncePerContainer(async () => {
    const runtime = await createLambdaRuntime(env);
    return createWebhookLambdaHandler({ ...runtime.intakeDeps(), log: runtime.log });
  });
  return async (event: HttpApiEvent) => (await ready())(event);
}

export const handler = createWebhookHandler(process.env);
