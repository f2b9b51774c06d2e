import { afterEach, beforeEach, describe } from "vitest";
import type { JobQueue } from "./job-queue.ts";
import { describeClaimContract } from "./job-queue-contract-claim.ts";
import { describeEnqueueContract } from "./job-queue-contract-enqueue.ts";

/**
 * The behaviour every JobQueue adapter shares, tested through the port only. `makeQueue` returns a
 * new, empty queue for every test; the suite closes it.
 */
export function describeJobQueueContract(name: string, makeQueue: () => Promise<JobQueue>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let queue: JobQueue;
    beforeEach(async () => {
      queue = await makeQueue();
    });
    afterEach(async () => {
      await queue.close();
    });

    describeEnqueueContract(() => queue);
    describeClaimContract(() => queue);
  });
}
