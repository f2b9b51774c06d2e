import { StackforkError } from "../core/errors.ts";

/** The `[updatedAt, id]` of a cursor `encodeListCursor` made; INVALID_INPUT for anything else. */
export function decodeListCursor(cursor: string): [updatedAt: string, id: string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      return [value[0], value[1]];
    }
  } catch {
    // Not JSON: reported below like any other foreign cursor.
  }
  throw new StackforkError("INVALID_INPUT", "the cursor is not one this registry returned");
}
