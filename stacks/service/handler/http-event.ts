/**
 * The part of API Gateway's HTTP API payload format 2.0 that the handler reads
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 * The local target builds the same shape from a Node request, so one handler serves both.
 */
export interface HttpEvent {
  version: "2.0";
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  /** Lowercase names; repeated headers joined with commas, as API Gateway does. */
  headers: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  requestContext: {
    requestId: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
  };
  body?: string;
  isBase64Encoded: boolean;
}

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}
