import { type ReceiveDeliveryDeps, receiveDelivery, WEBHOOK_BODY_LIMIT } from "./receive-delivery.ts";

/**
 * The part of a Lambda Function URL / API Gateway HTTP API event (payload format 2.0) the intake
 * reads. Headers arrive lower-cased; a binary or non-text body arrives base64-encoded.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export interface HttpApiEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string }; requestId?: string };
}

export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The webhook intake as a Lambda handler: a thin adapter over `receiveDelivery`, like the HTTP
 * route, so both answer every delivery the same way. Function URLs cap a request at 6 MB and HTTP
 * APIs at 10 MB, below GitHub's 25 MB; the limit is still enforced here, for any other front.
 */
export function createWebhookLambdaHandler(deps: ReceiveDeliveryDeps) {
  return async function handleWebhook(event: HttpApiEvent): Promise<HttpApiResult> {
    const method = event.requestContext?.http?.method;
    if (method !== undefined && method !== "POST")
      return answer(405, { error: { code: "METHOD_NOT_ALLOWED", message: "POST a GitHub webhook delivery" } });
    const body = event.body ?? "";
    // base64 grows 4/3: refuse what cannot decode under the limit before decoding it.
    if (body.length > (event.isBase64Encoded ? Math.ceil(WEBHOOK_BODY_LIMIT / 3) * 4 : WEBHOOK_BODY_LIMIT))
      return answer(413, {
        error: { code: "PAYLOAD_TOO_LARGE", message: "the body is over GitHub's 25 MB webhook limit" },
      });
    const rawBody = event.isBase64Encoded ? Buffer.from(body, "base64").toString("utf8") : body;
    const headers = event.headers ?? {};
    const log = deps.log.child({ requestId: event.requestContext?.requestId });
    const result = await receiveDelivery(
      { ...deps, log },
      { getHeader: (name) => headers[name] ?? headers[name.toLowerCase()], rawBody },
    );
    return answer(result.statusCode, result.body);
  };
}

function answer(statusCode: number, body: unknown): HttpApiResult {
  return { statusCode, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
}
