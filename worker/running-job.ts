import type { Job } from "../queue/job-queue.ts";

/** A job this worker runs now: what `stop` waits for, and aborts once the grace is over. */
export interface RunningJob {
  job: Job;
  controller: AbortController;
  done: Promise<void>;
}
