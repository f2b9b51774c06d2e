import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AwsResources } from "../aws/aws-resources.ts";
import { queueArgs } from "./queue-args.ts";

/** The FIFO wake queue and its dead-letter queue, with the attributes bootstrap gives them (queueArgs). */
export function createWakeQueues(
  parent: pulumi.ComponentResource,
  deps: { name: string; resources: AwsResources },
): { wake: aws.sqs.Queue; deadLetter: aws.sqs.Queue } {
  const { name, resources } = deps;
  const deadLetter = new aws.sqs.Queue(`${name}-wake-dlq`, queueArgs(resources.deadLetterQueue), { parent });
  const wake = new aws.sqs.Queue(`${name}-wake`, queueArgs(resources.wakeQueue, deadLetter.arn), { parent });
  return { wake, deadLetter };
}
