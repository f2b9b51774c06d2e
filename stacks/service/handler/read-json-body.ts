import type { HttpEvent } from "./http-event.ts";
import { RequestError } from "./request-error.ts";

/** Items are small; anything bigger is a mistake (API Gateway itself allows 10 MB). */
const MAX_BODY_BYTES = 64 * 1024;

/** The request body parsed as JSON, or a 400 that says what is wrong with it. */
export function readJsonBody(event: HttpEvent): unknown {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new RequestError(413, "PAYLOAD_TOO_LARGE", `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  if (raw.trim() === "") throw new RequestError(400, "INVALID_JSON", "The body is empty; send a JSON object.");
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new RequestError(400, "INVALID_JSON", `The body is not valid JSON: ${(err as Error).message}`);
  }
}
