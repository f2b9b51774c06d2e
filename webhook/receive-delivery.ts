import { createHash } from "node:crypto";
import { verifyWithFallback } from "@octokit/webhooks-methods";
import { errorCatalogue } from "../core/errors.ts";
import { decideIntents } from "../core/event-policy.ts";
import type { PullRequestRef } from "../core/intent.ts";
import type { Logger } from "../core/logger.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import {
  carryOutPullRequestIntent,
  type IntakeResult,
  type PullRequestIntentDeps,
} from "../intake/carry-out-pull-request-intent.ts";
import { submitIntent } from "../intake/submit-intent.ts";

/**
 * GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub.
 * https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap
 */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

export interface ReceiveDeliveryDeps extends PullRequestIntentDeps {
  /** Every secret accepted (more than one while a secret is rotated). */
  webhookSecrets: readonly string[];
  findRepository: (fullName: string) => RepositoryConfig | undefined;
  log: Logger;
  now: () => Date;
}

export interface DeliveryRequest {
  /** A header by its lower-case name. */
  getHeader: (name: string) => string | undefined;
  /** The exact body text the signature covers. */
  rawBody: string;
}

export interface DeliveryResponse {
  statusCode: 200 | 202 | 400 | 401 | 405 | 413;
  body: Record<string, unknown>;
}

/**
 * GitHub intake, shared by the HTTP route and the Lambda handler: verify the signature, drop a
 * replayed delivery, turn the event into intents, carry them out. Nothing slow happens here: GitHub
 * gives up on a delivery after 10 seconds.
 * https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks#respond-within-10-seconds
 *
 * Answers: 202 when a job was queued; 200 with `code` and a reason when nothing was (ignored, held
 * for approval, refused, extended); 401 / 400 / 413 with `error.code` when the delivery is refused.
 */
export async function receiveDelivery(deps: ReceiveDeliveryDeps, request: DeliveryRequest): Promise<DeliveryResponse> {
  // The one log line of a refused delivery (the HTTP route adds no request log of its own).
  const reject = (code: RejectCode, message: string): DeliveryResponse => {
    const response = refusal(code, message);
    deps.log.warn(
      {
        statusCode: response.statusCode,
        code,
        deliveryId: request.getHeader("x-github-delivery"),
        event: request.getHeader("x-github-event"),
      },
      `delivery refused: ${message}`,
    );
    return response;
  };
  if (Buffer.byteLength(request.rawBody) > WEBHOOK_BODY_LIMIT)
    return reject("PAYLOAD_TOO_LARGE", "the body is over GitHub's 25 MB webhook limit");
  const signature = request.getHeader("x-hub-signature-256");
  if (!signature) return reject("SIGNATURE_MISSING", "X-Hub-Signature-256 header is missing");
  const [first, ...others] = deps.webhookSecrets;
  // verify() compares in constant time (crypto.timingSafeEqual).
  const valid =
    first !== undefined && (await verifyWithFallback(first, request.rawBody, signature, others).catch(() => false));
  if (!valid) return reject("SIGNATURE_INVALID", "X-Hub-Signature-256 does not match the payload");

  const name = request.getHeader("x-github-event");
  const deliveryId = request.getHeader("x-github-delivery");
  if (!name || !deliveryId) return reject("HEADERS_MISSING", "X-GitHub-Event and X-GitHub-Delivery are required");
  let payload: unknown;
  try {
    payload = JSON.parse(request.rawBody);
  } catch {
    return reject("PAYLOAD_MALFORMED", "the body is not JSON");
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload))
    return reject("PAYLOAD_MALFORMED", "the body is not a JSON object");

  const log = deps.log.child({ deliveryId, event: name });
  const now = deps.now();
  // The signature covers the body, not X-GitHub-Delivery: a captured delivery sent again under a new
  // id is known by its signature (kept as long as ids, bound to the id that first brought it).
  const signatureDigest = createHash("sha256").update(signature).digest("hex");
  const memory = await deps.registry.rememberDelivery(deliveryId, now, { signatureDigest });
  if (memory === "replayed") {
    log.info("replayed delivery ignored");
    return { statusCode: 200, body: { ignored: "duplicate delivery", code: "DELIVERY_REPLAYED", deliveryId } };
  }
  if (memory === "signature_replayed") {
    log.warn("a signature already received under another delivery id: replay ignored");
    return {
      statusCode: 200,
      body: {
        ignored: "this signed body was already received under another delivery id",
        code: "SIGNATURE_REPLAYED",
        deliveryId,
      },
    };
  }
  const decision = decideIntents({ name, deliveryId, payload }, deps.findRepository);
  if ("ignored" in decision) {
    log.info({ code: decision.code, reason: decision.ignored }, "delivery ignored");
    return { statusCode: 200, body: { ignored: decision.ignored, code: decision.code, deliveryId } };
  }
  const results: IntakeResult[] = [];
  try {
    for (const intent of decision.intents) {
      if (intent.type === "command" || intent.type === "refuse") {
        const result = await carryOutPullRequestIntent(deps, intent, now);
        answerComment(deps, intent.pullRequest, result, log);
        results.push(result);
      } else {
        results.push(await submitIntent(deps, intent, now));
      }
    }
  } catch (err) {
    // Nothing is lost: GitHub shows the delivery failed, and its redelivery is taken as new.
    await deps.registry.forgetDelivery(deliveryId).catch(() => undefined);
    throw err;
  }
  const response = summarize(results, deliveryId);
  log.info({ statusCode: response.statusCode, ...response.body }, "delivery handled");
  return response;
}

/** The comment that asked learns the outcome on GitHub, without holding up this answer. */
function answerComment(
  deps: ReceiveDeliveryDeps,
  pullRequest: PullRequestRef,
  result: IntakeResult,
  log: Logger,
): void {
  if (pullRequest.commentId === undefined || !deps.reactToComment) return;
  const reaction = result.outcome === "refused" ? "-1" : result.outcome === "ignored" ? "confused" : "+1";
  void deps.reactToComment(pullRequest.repository, pullRequest.commentId, reaction).catch((err: unknown) => {
    log.warn({ err }, "could not react to the command's comment");
  });
}

/** One answer for every intent's outcome: 202 if anything was queued, else 200 saying what happened. */
function summarize(results: IntakeResult[], deliveryId: string): DeliveryResponse {
  const body: Record<string, unknown> = { deliveryId };
  const pick = <O extends IntakeResult["outcome"]>(outcome: O) =>
    results.filter((r): r is Extract<IntakeResult, { outcome: O }> => r.outcome === outcome);
  const queued = pick("queued").map((r) => ({ environment: r.environment.id, jobId: r.jobId, collapsed: r.collapsed }));
  const held = pick("held").map((r) => ({ environment: r.environment.id, commitSha: r.commitSha }));
  const updated = [...pick("extended"), ...pick("destroyed")].map((r) => ({
    environment: r.environment.id,
    status: r.environment.status,
    expiresAt: r.environment.expiresAt,
  }));
  const refused = pick("refused").map((r) => ({ code: r.code, reason: r.reason, environment: r.environment?.id }));
  const ignored = pick("ignored");
  if (queued.length) body.queued = queued;
  if (held.length) Object.assign(body, { held, code: "APPROVAL_REQUIRED" });
  if (updated.length) body.updated = updated;
  if (refused.length) body.refused = refused;
  if (ignored.length) {
    body.ignored = ignored.map((r) => r.reason).join("; ");
    body.code ??= ignored[0]?.code;
  }
  return { statusCode: queued.length ? 202 : 200, body };
}

type RejectCode =
  | "PAYLOAD_TOO_LARGE"
  | "SIGNATURE_MISSING"
  | "SIGNATURE_INVALID"
  | "HEADERS_MISSING"
  | "PAYLOAD_MALFORMED";

function refusal(code: RejectCode, message: string): DeliveryResponse {
  return { statusCode: errorCatalogue[code].status, body: { error: { code, message } } };
}
