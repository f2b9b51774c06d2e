/**
 * A webhook payload as it arrives: GitHub's own shape (`@octokit/webhooks-types`) for the field names,
 * every value `unknown` until read and checked, so that a malformed or hostile payload is refused
 * field by field, never trusted because its type says so. Arrays are opaque.
 * @example Untrusted<PushEvent>["ref"] // unknown
 */
export type Untrusted<T> = T extends readonly unknown[]
  ? unknown
  : T extends object
    ? { [K in keyof T]?: Untrusted<NonNullable<T[K]>> | null }
    : unknown;
