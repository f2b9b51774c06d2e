/** Every error answer has one of these codes; clients match on the code, never on the message. */
export type RequestErrorCode =
  | "INVALID_JSON"
  | "INVALID_INPUT"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "PAYLOAD_TOO_LARGE";

/** An expected failure of a request: answered with its status and `{ code, message }`. */
export class RequestError extends Error {
  readonly status: number;
  readonly code: RequestErrorCode;
  readonly headers?: Record<string, string>;

  constructor(status: number, code: RequestErrorCode, message: string, headers?: Record<string, string>) {
    super(message);
    this.name = "RequestError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}
