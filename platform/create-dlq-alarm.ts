import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { QueueDefinition } from "../aws/aws-resources.ts";
import { platformPhysicalName } from "./platform-physical-name.ts";

/** A message in the dead-letter queue is a wake that failed every receive: someone should look. */
export function createDlqAlarm(
  parent: pulumi.ComponentResource,
  deps: {
    name: string;
    prefix: string;
    alarmEmail?: string;
    deadLetterQueue: QueueDefinition;
    deadLetter: aws.sqs.Queue;
  },
): { alarm: aws.cloudwatch.MetricAlarm; topic: aws.sns.Topic } {
  const { name, prefix, alarmEmail } = deps;
  const topic = new aws.sns.Topic(`${name}-alarms`, { name: platformPhysicalName(prefix, "alarms") }, { parent });
  if (alarmEmail) {
    new aws.sns.TopicSubscription(
      `${name}-alarms-email`,
      { topic: topic.arn, protocol: "email", endpoint: alarmEmail },
      { parent },
    );
  }
  const alarm = new aws.cloudwatch.MetricAlarm(
    `${name}-wake-dlq-depth`,
    {
      name: platformPhysicalName(prefix, "wake-dlq-not-empty"),
      alarmDescription: `Wakes moved to ${deps.deadLetterQueue.name} after failing every receive: see the worker's logs.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: deps.deadLetter.name },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
      alarmActions: [topic.arn],
      okActions: [topic.arn],
    },
    { parent },
  );
  return { alarm, topic };
}
