/**
 * The sort key a page of environments ended at, `[updatedAt, id]`, opaque to callers: the same in
 * every adapter, so a cursor never depends on how an adapter stores its sort key.
 */
export function encodeListCursor(updatedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([updatedAt, id])).toString("base64url");
}
