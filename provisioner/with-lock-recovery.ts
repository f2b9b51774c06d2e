import type { Stack } from "@pulumi/pulumi/automation/index.js";
import { mapPulumiError } from "./map-pulumi-error.ts";

export interface LockRecoveryOptions {
  /** Aborted: the operation was asked to stop, and a lock it meets is not recovered. */
  signal: AbortSignal;
  /** Told once the lock was cancelled and the stack refreshed, for history. */
  onRecovered: (message: string) => void;
}

/**
 * The provisioner runs a stack only while its job holds the environment's lease, so a lock found
 * here was left by a run that is dead (crashed, killed, timed out). Neither backend can tell: the
 * `file://` and `s3://` locks are plain objects with no expiry, and the S3 one is not even a lock
 * (written, then listed again; no conditional write). The lease is the proof. So: cancel the lock,
 * refresh to settle the dead run's pending operations, and run the operation again, once.
 */
export async function withLockRecovery<T>(
  stack: Stack,
  operation: () => Promise<T>,
  { signal, onRecovered }: LockRecoveryOptions,
): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (mapPulumiError(err, "update").code !== "STACK_LOCKED" || signal.aborted) throw err;
    await stack.cancel();
    await stack.refresh({ clearPendingCreates: true, color: "never", signal });
    onRecovered("a crashed update had left the stack locked: lock cancelled, stack refreshed");
    return await operation();
  }
}
