import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ThrottledService = "dynamodb" | "sqs";

export interface ThrottlingProxyOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:5000. */
  target: string;
  /**
   * Share of each service's requests answered with its throttling error instead of forwarded:
   * deterministic (0.25: every 4th request of the service), so a run is repeatable.
   */
  share: Partial<Record<ThrottledService, number>>;
  /**
   * Share of the other requests that are forwarded and applied, but whose answer is replaced by an
   * HTTP 500 (a connection lost on the way back): the SDK retries them, so a retry meets its own
   * write. Deterministic like `share`. @default none
   */
  loseAnswers?: Partial<Record<ThrottledService, number>>;
}

export interface ThrottlingProxy {
  /** http://127.0.0.1:<port>: give it to createAwsClients({ endpoint }). */
  url: string;
  /** Requests seen and throttled, per service and per operation (`DynamoDB_20120810.PutItem`). */
  counters: {
    requests: Record<ThrottledService | "other", number>;
    throttled: Record<ThrottledService, number>;
    throttledByOperation: Record<string, number>;
    /** Applied upstream, answered 500. */
    lost: Record<ThrottledService, number>;
  };
  close(): Promise<void>;
}

/**
 * A tiny HTTP proxy in front of the AWS emulator that answers a share of DynamoDB's and SQS's
 * requests the way AWS does when it throttles, and forwards the rest untouched. The answers are the
 * services' real wire format, so the SDK classifies them as it would AWS's own (and retries them):
 * - DynamoDB (JSON 1.0): HTTP 400, body `__type` `...#ThrottlingException`.
 * - SQS (JSON 1.0, query-compatible): HTTP 400 and `x-amzn-query-error: RequestThrottled;Sender`.
 *   The SDK takes the error's name from that header before the body's `__type` (@aws-sdk/core's
 *   AwsJsonRpcProtocol.handleError, awsQueryCompatible). The SDK's model gives RequestThrottled
 *   HTTP 403; SQS's API reference says 400. The SDK goes by the name either way.
 * Optionally it also applies a share of requests and loses their answers (`loseAnswers`).
 */
export async function startThrottlingProxy(options: ThrottlingProxyOptions): Promise<ThrottlingProxy> {
  const target = new URL(options.target);
  const counters: ThrottlingProxy["counters"] = {
    requests: { dynamodb: 0, sqs: 0, other: 0 },
    throttled: { dynamodb: 0, sqs: 0 },
    throttledByOperation: {},
    lost: { dynamodb: 0, sqs: 0 },
  };
  const forwarded = { dynamodb: 0, sqs: 0 };

  // The n-th request is picked when it carries the share over the next whole number.
  const picks = (share: number | undefined, n: number) =>
    Math.floor(n * (share ?? 0)) > Math.floor((n - 1) * (share ?? 0));

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers["x-amz-target"] ?? "");
      const service = serviceOf(operation);
      counters.requests[service ?? "other"]++;
      if (service && picks(options.share[service], counters.requests[service])) {
        counters.throttled[service]++;
        counters.throttledByOperation[operation] = (counters.throttledByOperation[operation] ?? 0) + 1;
        answerThrottled(service, res);
        return;
      }
      const lose = service !== undefined && picks(options.loseAnswers?.[service], ++forwarded[service]);
      if (service && lose) counters.lost[service]++;
      pass(req, body, res, lose);
    });
  });

  function pass(req: IncomingMessage, body: Buffer, res: ServerResponse, loseAnswer: boolean): void {
    const upstream = forward(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (loseAnswer) {
          answer.resume();
          answer.on("end", () => answerLost(res));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(err));
    });
    upstream.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counters,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function serviceOf(operation: string): ThrottledService | undefined {
  if (operation.startsWith("DynamoDB_20120810.")) return "dynamodb";
  if (operation.startsWith("AmazonSQS.")) return "sqs";
  return undefined;
}

function answerThrottled(service: ThrottledService, res: ServerResponse): void {
  const requestId = `throttled-${Math.random().toString(16).slice(2)}`;
  if (service === "dynamodb") {
    res.writeHead(400, {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": requestId,
      "x-amzn-errortype": "ThrottlingException",
    });
    res.end(
      JSON.stringify({
        __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException",
        message: "Rate of requests exceeds the allowed throughput.",
      }),
    );
    return;
  }
  res.writeHead(400, {
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-requestid": requestId,
    "x-amzn-query-error": "RequestThrottled;Sender",
  });
  res.end(JSON.stringify({ __type: "com.amazonaws.sqs#RequestThrottled", message: "Request is throttled." }));
}

function answerLost(res: ServerResponse): void {
  res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
  res.end(JSON.stringify({ __type: "InternalFailure", message: "The answer was lost on the way back." }));
}
