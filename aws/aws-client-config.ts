export interface AwsClientOptions {
  /** Attempts per call, retries included. @default 6 */
  maxAttempts?: number;
  /** Tests only (a throttling proxy): one endpoint for every service, ahead of the standard chain. */
  endpoint?: string;
}

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
