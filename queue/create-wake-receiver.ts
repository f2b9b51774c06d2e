import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import type { QueueDefinition } from "../aws/aws-resources.ts";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import { StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { lazyQueueUrl } from "./lazy-queue-url.ts";
import { parseWake } from "./parse-wake.ts";

/** One received wake: claim the environment's next job, then acknowledge it. */
export interface Wake {
  environmentId: string;
  /** The job that caused the wake: a hint for logs; the claim takes whatever is next. */
  jobId?: string;
  receiptHandle: string;
  messageId: string;
  /** 1 on the first delivery; SQS moves the message to the dead-letter queue past maxReceiveCount. */
  receiveCount: number;
}

export interface ReceiveWakesOptions {
  /** 1 to 10 (SQS's limit per ReceiveMessage). */
  max: number;
  /** Long polling: 0 to 20 seconds (SQS's limit); an idle queue costs one request per 20 s. */
  waitSeconds: number;
  /** How long the received wakes stay hidden from other consumers (extend while working). */
  visibilitySeconds: number;
}

export interface WakeReceiverOptions {
  clients: Pick<AwsClients, "sqs">;
  queue: QueueDefinition;
  /** Where a dropped (malformed) wake is reported. */
  log?: Logger;
}

/** SQS's bound on a message's visibility timeout: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * The long-running server's side of the wake queue (the worker Lambda gets the same messages from
 * its event source mapping instead). A malformed message is acknowledged and dropped with its reason
 * logged: it would never become valid, and it blocks its message group while it stays.
 */
export function createWakeReceiver(options: WakeReceiverOptions) {
  const { sqs } = options.clients;
  const name = options.queue.name;
  const resolveQueueUrl = lazyQueueUrl(sqs, name);

  async function acknowledge(wake: Pick<Wake, "receiptHandle" | "messageId">): Promise<void> {
    const QueueUrl = await resolveQueueUrl();
    try {
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: wake.receiptHandle }));
    } catch (err) {
      throw translateAwsError(err, `DeleteMessage ${wake.messageId} on ${name}`);
    }
  }

  return {
    async receive(receive: ReceiveWakesOptions): Promise<Wake[]> {
      requireWithin("max", receive.max, 1, 10);
      requireWithin("waitSeconds", receive.waitSeconds, 0, 20);
      requireWithin("visibilitySeconds", receive.visibilitySeconds, 0, MAX_VISIBILITY_SECONDS);
      const QueueUrl = await resolveQueueUrl();
      let messages: Message[] | undefined;
      try {
        ({ Messages: messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: receive.max,
            WaitTimeSeconds: receive.waitSeconds,
            VisibilityTimeout: receive.visibilitySeconds,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
        ));
      } catch (err) {
        throw translateAwsError(err, `ReceiveMessage on ${name}`);
      }
      const wakes: Wake[] = [];
      for (const message of messages ?? []) {
        const messageId = message.MessageId ?? "";
        const receiptHandle = message.ReceiptHandle ?? "";
        const parsed = parseWake(message.Body);
        if (!parsed.ok) {
          options.log?.warn({ messageId, reason: parsed.reason, queue: name }, "malformed wake dropped");
          await acknowledge({ receiptHandle, messageId }).catch((err: unknown) =>
            options.log?.warn({ err, messageId }, "could not drop a malformed wake; it comes back"),
          );
          continue;
        }
        wakes.push({
          ...parsed.body,
          receiptHandle,
          messageId,
          receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? "1"),
        });
      }
      return wakes;
    },

    /** Hidden for `seconds` more from now (0: visible again at once, for another consumer). */
    async extend(wake: Wake, seconds: number): Promise<void> {
      requireWithin("seconds", seconds, 0, MAX_VISIBILITY_SECONDS);
      const QueueUrl = await resolveQueueUrl();
      try {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl,
            ReceiptHandle: wake.receiptHandle,
            VisibilityTimeout: seconds,
          }),
        );
      } catch (err) {
        throw translateAwsError(err, `ChangeMessageVisibility ${wake.messageId} on ${name}`);
      }
    },

    acknowledge: (wake: Wake) => acknowledge(wake),
  };
}

function requireWithin(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new StackforkError("INVALID_INPUT", `${what} must be an integer from ${min} to ${max}`, {
      details: { [what]: value },
    });
  }
}
