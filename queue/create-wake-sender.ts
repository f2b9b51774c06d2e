import { createHash } from "node:crypto";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import type { Logger } from "../core/logger.ts";
import { jobIdOf } from "./aws-job-id.ts";
import type { StoredJob } from "./aws-job-item.ts";
import { lazyQueueUrl } from "./lazy-queue-url.ts";
import type { WakeBody } from "./parse-wake.ts";

/** "This environment may have work": one SQS FIFO message, MessageGroupId = environment. */
export interface PendingWake {
  environmentId: string;
  job: StoredJob;
  deduplicationId: string;
}

export type SendWakes = (wakes: PendingWake[]) => Promise<{ sent: number; failed: unknown[] }>;

/**
 * The DynamoDB write has already happened: a wake that cannot be sent (after the SDK's retries)
 * is logged, not thrown, and rewakeStalled sends it again. Failing the caller instead would make
 * the webhook answer an error for a job that is queued.
 */
export function createWakeSender(deps: { sqs: AwsClients["sqs"]; queueName: string; log?: Logger }): SendWakes {
  const { sqs, queueName, log } = deps;
  const queueUrl = lazyQueueUrl(sqs, queueName);
  return async (wakes) => {
    let sent = 0;
    const failed: unknown[] = [];
    // SendMessageBatch takes at most 10 entries.
    for (let start = 0; start < wakes.length; start += 10) {
      const batch = wakes.slice(start, start + 10);
      try {
        const { Failed = [] } = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: await queueUrl(),
            Entries: batch.map((wake, i) => ({
              Id: String(i),
              MessageBody: JSON.stringify({
                environmentId: wake.environmentId,
                jobId: jobIdOf(wake.environmentId, wake.job),
              } satisfies WakeBody),
              MessageGroupId: sqsId(wake.environmentId),
              MessageDeduplicationId: sqsId(wake.deduplicationId),
            })),
          }),
        );
        sent += batch.length - Failed.length;
        for (const failure of Failed) {
          const wake = batch[Number(failure.Id)];
          failed.push(failure);
          log?.warn(
            { environment: wake?.environmentId, code: failure.Code, queue: queueName },
            "wake not sent; the sweep sends it again",
          );
        }
      } catch (err) {
        const error = translateAwsError(err, `SendMessageBatch on ${queueName}`);
        failed.push(error);
        log?.warn(
          { err: error, environments: batch.map((w) => w.environmentId) },
          "wakes not sent; the sweep sends them again",
        );
      }
    }
    return { sent, failed };
  };
}

/**
 * MessageGroupId and MessageDeduplicationId allow 1-128 printable ASCII characters, no spaces
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 * Anything else is hashed: the same input always gives the same id, which is all either needs.
 */
function sqsId(raw: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(raw) ? raw : `sha256-${createHash("sha256").update(raw).digest("hex")}`;
}
