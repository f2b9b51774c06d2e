import type { AwsClients } from "../aws/create-aws-clients.ts";
import type { SendWakes } from "./create-wake-sender.ts";

/** The jobs table, as every part of the DynamoDB adapter reaches it. */
export interface AwsJobTable {
  documents: AwsClients["documents"];
  table: string;
  /** The sparse index of environments with pending jobs (gsi1). */
  index: string;
  /** Dates the expiry of an environment's item once its last job is done. */
  clock: () => Date;
}

/** What the operations of the DynamoDB adapter share: the table, and the sender of wakes. */
export interface AwsQueueDeps extends AwsJobTable {
  sendWakes: SendWakes;
}
