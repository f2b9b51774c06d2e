import { DELIVERY_ABANDONED_AFTER_MS } from "./registry.ts";

const HOUR_MS = 3_600_000;

/** Epoch milliseconds that decide, at one moment, what a remembered delivery id (or signature) still means. */
export interface DeliveryRetentionBounds {
  /** Seen now, an id (or signature) is remembered until then. */
  keptUntil: number;
  /** Seen before this, it is expired: unseen again, whether or not it was swept yet. */
  expiredBefore: number;
  /** Seen before this and carried by no history event, its handling was lost: new again. */
  abandonedBefore: number;
}

/** The bounds at `now` for ids kept `retainHours` (see Registry.rememberDelivery). */
export function deliveryRetentionBounds(now: Date, retainHours: number): DeliveryRetentionBounds {
  const retainMs = retainHours * HOUR_MS;
  return {
    keptUntil: now.getTime() + retainMs,
    expiredBefore: now.getTime() - retainMs,
    abandonedBefore: now.getTime() - DELIVERY_ABANDONED_AFTER_MS,
  };
}
