import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { QueueDefinition } from "../aws/aws-resources.ts";
import { queueAttributes } from "../aws/bootstrap-aws-resources.ts";

/**
 * A queue definition as @pulumi/aws arguments, from the same SQS attributes bootstrap sends
 * (queueAttributes): an attribute it does not know is an error here, not a silent difference.
 */
export function queueArgs(definition: QueueDefinition, deadLetterArn?: pulumi.Output<string>): aws.sqs.QueueArgs {
  const { FifoQueue, ContentBasedDeduplication, VisibilityTimeout, MessageRetentionPeriod, ...others } =
    queueAttributes(definition);
  const unknown = Object.keys(others);
  if (unknown.length > 0) throw new Error(`queueArgs: SQS attributes ${unknown.join(", ")} are not mapped`);
  return {
    name: definition.name,
    fifoQueue: FifoQueue === "true",
    contentBasedDeduplication: ContentBasedDeduplication === "true",
    visibilityTimeoutSeconds: Number(VisibilityTimeout),
    messageRetentionSeconds: Number(MessageRetentionPeriod),
    sqsManagedSseEnabled: true,
    ...(deadLetterArn && {
      redrivePolicy: deadLetterArn.apply((arn) => {
        const redrive = queueAttributes(definition, arn).RedrivePolicy;
        if (!redrive) throw new Error(`${definition.name}: no maxReceiveCount, so no redrive policy`);
        return redrive;
      }),
    }),
  };
}
