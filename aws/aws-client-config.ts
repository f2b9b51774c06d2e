import type { AwsClientOptions } from "./create-aws-clients.ts";

/**
 * What every AWS client of stackfork is built with. Region, endpoint (`AWS_ENDPOINT_URL`,
 * `AWS_ENDPOINT_URL_<SERVICE>`), credentials and profiles come from the SDK's standard chain, so the
 * same code runs against AWS, LocalStack or moto. Throttling, 5xx and network errors are retried by
 * the SDK's own standard strategy (exponential backoff with jitter, a retry-token bucket).
 */
export function awsClientConfig(options: AwsClientOptions = {}) {
  return {
    maxAttempts: options.maxAttempts ?? 6,
    retryMode: "standard",
    ...(options.endpoint && { endpoint: options.endpoint }),
  };
}
