import type { AwsResources } from "../aws/aws-resources.ts";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import type { Logger } from "../core/logger.ts";
import type { AwsQueueDeps } from "./aws-job-table.ts";
import { claimAwsJob } from "./claim-aws-job.ts";
import { completeAwsJob } from "./complete-aws-job.ts";
import { createWakeSender } from "./create-wake-sender.ts";
import { enqueueAwsJob } from "./enqueue-aws-job.ts";
import type { JobQueue } from "./job-queue.ts";
import { listAwsPendingJobs } from "./list-aws-pending-jobs.ts";
import { releaseAwsJobs } from "./release-aws-jobs.ts";
import { renewAwsLease } from "./renew-aws-lease.ts";
import { requirePositiveLease } from "./require-positive-lease.ts";
import { retryAwsJob } from "./retry-aws-job.ts";
import { rewakeStalledEnvironments } from "./rewake-stalled-environments.ts";

export interface AwsJobQueueOptions {
  clients: Pick<AwsClients, "documents" | "sqs">;
  resources: Pick<AwsResources, "jobsTable" | "wakeQueue">;
  /** Where wakes that could not be sent are reported (the sweep sends them again). */
  log?: Logger;
  /**
   * The clock of calls that take no `now` (complete, retry, releaseAll): it dates the expiry (TTL)
   * of an environment's item once its last job is done. @default () => new Date()
   */
  now?: () => Date;
}

export interface AwsJobQueue extends JobQueue {
  /**
   * Sends a fresh wake for every environment whose first job is claimable now (no live lease,
   * runAfter reached): the sweep that recovers wakes lost to a failed send, a crashed consumer or a
   * retry's backoff (SQS FIFO has no per-message delay). Returns how many it sent.
   */
  rewakeStalled(now: Date): Promise<number>;
}

/**
 * The job queue on DynamoDB (the truth: order, collapse, supersede, abort, leases) and SQS FIFO
 * (wakes: "this environment may have work", MessageGroupId = environment). DESIGN.md says why the
 * truth cannot live in SQS: a FIFO queue cannot collapse, drop or delay one message. The clients
 * are the caller's: close() leaves them open. The items of its table: aws-job-item.ts.
 */
export function createAwsJobQueue(options: AwsJobQueueOptions): AwsJobQueue {
  const queueName = options.resources.wakeQueue.name;
  const deps: AwsQueueDeps = {
    documents: options.clients.documents,
    table: options.resources.jobsTable.name,
    index: options.resources.jobsTable.globalSecondaryIndexes[0]?.name ?? "gsi1",
    clock: options.now ?? (() => new Date()),
    sendWakes: createWakeSender({ sqs: options.clients.sqs, queueName, ...(options.log && { log: options.log }) }),
  };
  return {
    enqueue: (input, now) => enqueueAwsJob(deps, input, now),
    enqueueIfIdle: async (input, now) => (await enqueueAwsJob(deps, input, now, { ifIdle: true }))?.job,
    claim: async (owner, now, leaseMs, environmentId) => {
      requirePositiveLease(leaseMs);
      return claimAwsJob(deps, owner, now, leaseMs, environmentId);
    },
    renewLease: async (jobId, owner, now, leaseMs) => {
      requirePositiveLease(leaseMs);
      return renewAwsLease(deps, jobId, owner, now, leaseMs);
    },
    complete: (jobId, owner) => completeAwsJob(deps, jobId, owner),
    retry: (jobId, owner, runAfter) => retryAwsJob(deps, jobId, owner, runAfter),
    releaseAll: (owner) => releaseAwsJobs(deps, owner),
    listPending: (environmentId) => listAwsPendingJobs(deps, environmentId),
    rewakeStalled: (now) => rewakeStalledEnvironments(deps, queueName, now),
    close: async () => {},
  };
}
