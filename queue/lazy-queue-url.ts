import { GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { translateAwsError } from "../aws/translate-aws-error.ts";

/**
 * The queue's URL, asked for once, on first use (not at start-up, so a process that never touches
 * the queue makes no request); a failed lookup is asked again next time.
 */
export function lazyQueueUrl(sqs: SQSClient, queueName: string): () => Promise<string> {
  let url: Promise<string> | undefined;
  return () => {
    url ??= sqs.send(new GetQueueUrlCommand({ QueueName: queueName })).then(
      (answer) => answer.QueueUrl ?? "",
      (err: unknown) => {
        url = undefined;
        throw translateAwsError(err, `GetQueueUrl on ${queueName}`);
      },
    );
    return url;
  };
}
