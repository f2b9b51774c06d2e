import { verifyWithFallback } from "@octokit/webhooks-methods";
import type { RepositoryConfig } from "../core/config.ts";
import { decideIntents } from "../core/event-policy.ts";
import type { Logger } from "../core/logger.ts";
import type { SubmitIntentDeps, SubmitResult } from "../worker/submit-intent.ts";
import { submitIntent } from "../worker/submit-intent.ts";

export interface ReceiveDeliveryDeps extends SubmitIntentDeps {
  /** Every secret accepted (more than one while a secret is rotated). */
  webhookSecrets: readonly string[];
  findRepository: (fullName: string) => RepositoryConfig | undefined;
  log: Logger;
  now: () => Date;
}

export interface DeliveryRequest {
  getHeader: (name: string) => string | undefined;
  rawBody: string;
}

export interface DeliveryResponse {
  statusCode: 200 | 202 | 400 | 401;
  body: Record<string, unknown>;
}

/**
 * GitHub intake, shared by the HTTP route and the Lambda handler: verify the signature, drop a
 * replayed delivery, turn the event into intents, enqueue them. Nothing slow happens here: GitHub
 * gives up on a delivery after 10 seconds.
 * https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks#respond-within-10-seconds
 */
export async function receiveDelivery(deps: ReceiveDeliveryDeps, request: DeliveryRequest): Promise<DeliveryResponse> {
  const signature = request.getHeader("x-hub-signature-256");
  if (!signature) return reject(401, "SIGNATURE_MISSING", "X-Hub-Signature-256 header is missing");
  const [first, ...others] = deps.webhookSecrets;
  const valid =
    first !== undefined && (await verifyWithFallback(first, request.rawBody, signature, others).catch(() => false));
  if (!valid) return reject(401, "SIGNATURE_INVALID", "X-Hub-Signature-256 does not match the payload");

  const name = request.getHeader("x-github-event");
  const deliveryId = request.getHeader("x-github-delivery");
  if (!name || !deliveryId) return reject(400, "HEADERS_MISSING", "X-GitHub-Event and X-GitHub-Delivery are required");
  let payload: unknown;
  try {
    payload = JSON.parse(request.rawBody);
  } catch {
    return reject(400, "PAYLOAD_MALFORMED", "the body is not JSON");
  }
  if (!payload || typeof payload !== "object") return reject(400, "PAYLOAD_MALFORMED", "the body is not a JSON object");

  const log = deps.log.child({ deliveryId, event: name });
  const now = deps.now();
  if (!(await deps.registry.rememberDelivery(deliveryId, now))) {
    log.info("replayed delivery ignored");
    return { statusCode: 200, body: { ignored: "duplicate delivery", deliveryId } };
  }
  const decision = decideIntents({ name, deliveryId, payload }, deps.findRepository);
  if ("ignored" in decision) {
    log.info({ reason: decision.ignored }, "delivery ignored");
    return { statusCode: 200, body: { ignored: decision.ignored, deliveryId } };
  }
  const results: SubmitResult[] = [];
  for (const intent of decision.intents) results.push(await submitIntent(deps, intent, now));
  const queued = results.flatMap((r) =>
    r.outcome === "queued" ? [{ environment: r.environment.id, jobId: r.jobId, collapsed: r.collapsed }] : [],
  );
  const ignored = results.flatMap((r) => (r.outcome === "ignored" ? [r.reason] : []));
  log.info({ queued, ignored }, "delivery accepted");
  if (queued.length === 0) return { statusCode: 200, body: { ignored: ignored.join("; "), deliveryId } };
  return { statusCode: 202, body: { queued, ...(ignored.length ? { ignored: ignored.join("; ") } : {}), deliveryId } };
}

function reject(statusCode: 400 | 401, code: string, message: string): DeliveryResponse {
  return { statusCode, body: { error: { code, message } } };
}
