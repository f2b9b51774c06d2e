import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * One message at a time per invocation (a deploy is long), failures reported per message so that
 * a FIFO group stays blocked behind its failed message instead of skipping it.
 */
export function createWakeEventSourceMapping(
  parent: pulumi.ComponentResource,
  deps: {
    name: string;
    workerMaxConcurrency: number;
    worker: aws.lambda.Function;
    wake: aws.sqs.Queue;
    workerPolicies: pulumi.Resource[];
  },
): aws.lambda.EventSourceMapping {
  const { name, worker, wake } = deps;
  return new aws.lambda.EventSourceMapping(
    `${name}-wake-worker`,
    {
      eventSourceArn: wake.arn,
      functionName: worker.arn,
      batchSize: 1,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: deps.workerMaxConcurrency },
    },
    // Lambda checks the role's SQS rights when the mapping is created.
    { parent, dependsOn: deps.workerPolicies },
  );
}
