import { type ErrorCode, errorCatalogue, StackforkError } from "../core/errors.ts";

export interface ApiRequestOptions {
  /** @default "GET" */
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** JSON, or the bytes of a gzip tarball. */
  body?: unknown;
  /** The API token, for changes (and for reads off loopback). */
  token?: string;
}

/**
 * A JSON request to a running server. An error answer becomes a StackforkError with the server's
 * own code (the catalogue is shared), and no server at all says what to do.
 */
export async function requestApi<T>(serverUrl: string, path: string, options: ApiRequestOptions = {}): Promise<T> {
  // The server records changes made through the CLI as `via: cli` (issue 22).
  const headers: Record<string, string> = { accept: "application/json", "x-stackfork-client": "cli" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (Buffer.isBuffer(options.body)) {
    headers["content-type"] = "application/gzip";
    body = new Uint8Array(options.body);
  } else if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(new URL(path, serverUrl), { method: options.method ?? "GET", headers, body });
  } catch (err) {
    throw new StackforkError(
      "NOT_FOUND",
      `no stackfork server at ${serverUrl} (start one with \`stackfork serve\`, or set STACKFORK_URL)`,
      { cause: err },
    );
  }
  const answer = (await response.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
  if (!response.ok) {
    const code = answer.error?.code;
    const known: ErrorCode = code && code in errorCatalogue ? (code as ErrorCode) : fallbackCode(response.status);
    throw new StackforkError(known, answer.error?.message ?? `${path}: HTTP ${response.status}`, {
      details: { status: response.status },
    });
  }
  return answer;
}

function fallbackCode(status: number): ErrorCode {
  if (status === 401) return "UNAUTHORIZED";
  if (status === 404) return "NOT_FOUND";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  return "INVALID_INPUT";
}
