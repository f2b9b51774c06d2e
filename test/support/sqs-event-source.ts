import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { LambdaContext, SqsBatchResponse, SqsEvent } from "../../platform/worker-handler.ts";

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueName: string;
  handler: (event: SqsEvent, context: LambdaContext) => Promise<SqsBatchResponse>;
  /** Milliseconds each invocation has (Lambda's timeout). @default 900_000 */
  timeoutMs?: number;
}

/**
 * What Lambda's event source mapping does for a FIFO queue, in miniature: receive a batch (size 1),
 * hand it to the worker handler as Lambda's SQS event with a context whose clock runs down, delete
 * the records not in `batchItemFailures`, leave the others to come back.
 */
export function createSqsEventSource(options: SqsEventSourceOptions) {
  let queueUrl: string | undefined;
  const url = async () => {
    queueUrl ??= (await options.sqs.send(new GetQueueUrlCommand({ QueueName: options.queueName }))).QueueUrl;
    return queueUrl as string;
  };

  /** One receive and one invocation; resolves to the records handed over (0 when the queue was empty). */
  async function pollOnce(timeoutMs = options.timeoutMs ?? 900_000): Promise<number> {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: await url(),
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
        VisibilityTimeout: Math.ceil(timeoutMs / 1000) + 60,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) return 0;
    const started = Date.now();
    const event: SqsEvent = {
      Records: Messages.map((m) => ({
        messageId: m.MessageId ?? "",
        body: m.Body ?? "",
        attributes: { MessageGroupId: m.Attributes?.MessageGroupId },
      })),
    };
    const answer = await options.handler(event, { getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started) });
    const failed = new Set(answer.batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of Messages) {
      if (!failed.has(message.MessageId ?? "")) {
        await options.sqs.send(
          new DeleteMessageCommand({ QueueUrl: await url(), ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    return Messages.length;
  }

  return {
    pollOnce,
    /** Polls until `done()` holds (checked after every poll), or fails after `timeoutMs`. */
    async pollUntil(done: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline)
          throw new Error(`the queue ${options.queueName} did not get there in ${timeoutMs} ms`);
        await pollOnce();
      }
    },
  };
}
