import { StackforkError } from "../core/errors.ts";

/** GET a JSON document from a running server, with an error that says what to do when none runs. */
export async function requestApi<T>(serverUrl: string, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(path, serverUrl));
  } catch (err) {
    throw new StackforkError(
      "NOT_FOUND",
      `no stackfork server at ${serverUrl} (start one with \`npm start\`, or set STACKFORK_URL)`,
      {
        cause: err,
      },
    );
  }
  const body = (await response.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
  if (!response.ok) {
    const code = response.status === 404 ? "NOT_FOUND" : "INVALID_INPUT";
    throw new StackforkError(code, body.error?.message ?? `${path}: HTTP ${response.status}`);
  }
  return body;
}
