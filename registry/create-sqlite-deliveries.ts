import { deliveryRetentionBounds } from "./delivery-retention-bounds.ts";
import type { SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";
import type { DeliveryMemory, Registry } from "./registry.ts";

/** How often expired delivery ids are swept: not on every delivery, it is a write of its own. */
const DELIVERY_PRUNE_INTERVAL_MS = 60_000;

/** The delivery ids and signatures the SQLite registry remembers (see Registry.rememberDelivery). */
export function createSqliteDeliveries(
  { db, sql, group }: SqliteRegistryStore,
  deliveryRetainHours: number,
): Pick<Registry, "rememberDelivery" | "forgetDelivery"> {
  let prunedAt = Number.NEGATIVE_INFINITY;
  const rememberDelivery = db.transaction(
    (deliveryId: string, now: Date, signatureDigest: string | undefined): DeliveryMemory => {
      const { expiredBefore, abandonedBefore } = deliveryRetentionBounds(now, deliveryRetainHours);
      // Expired ids are swept now and then; until then the insert itself treats one as unseen.
      if (now.getTime() - prunedAt >= DELIVERY_PRUNE_INTERVAL_MS) {
        sql.pruneDeliveries.run(expiredBefore);
        sql.pruneSignatures.run(expiredBefore);
        prunedAt = now.getTime();
      }
      if (signatureDigest !== undefined) {
        const bound = sql.signatureByDigest.get(signatureDigest);
        if (bound && bound.seen_at >= expiredBefore && bound.delivery_id !== deliveryId) return "signature_replayed";
      }
      const inserted = sql.insertDelivery.run({
        delivery_id: deliveryId,
        seen_at: now.getTime(),
        expired_before: expiredBefore,
        abandoned_before: abandonedBefore,
      });
      if (inserted.changes !== 1) return "replayed";
      if (signatureDigest !== undefined) {
        sql.upsertSignature.run({ signature_digest: signatureDigest, delivery_id: deliveryId, seen_at: now.getTime() });
      }
      return "new";
    },
  );

  return {
    rememberDelivery: (deliveryId, now, options = {}) =>
      group.write(() => rememberDelivery(deliveryId, now, options.signatureDigest)),
    forgetDelivery: (deliveryId) =>
      group.write(() => {
        sql.deleteDelivery.run(deliveryId);
      }),
  };
}
