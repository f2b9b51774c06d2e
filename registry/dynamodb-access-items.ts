import type { NamedToken, PersonSession } from "./access-store.ts";
import type { Key } from "./dynamodb-registry-items.ts";

/*
 * The access store's items, in the registry's table (see the table in dynamodb-registry-items.ts):
 *
 * | item           | pk                     | sk             | attributes                                            |
 * |----------------|------------------------|----------------|-------------------------------------------------------|
 * | person session | PERSON#<session id>    | SESSION        | PersonSession, expiresAtMs, ttl (epoch s)             |
 * | named token    | TOKENS                 | TOKEN#<name>   | NamedToken: the list of live tokens is one Query      |
 * | token digest   | TOKEN_DIGEST#<digest>  | TOKEN_DIGEST   | NamedToken again: a request's token found by GetItem  |
 *
 * A token's two items are written and deleted in one transaction. Few tokens exist (an admin makes
 * them by hand), so one partition holds them all.
 */

export const accessKeys = {
  personSession: (id: string): Key => ({ pk: `PERSON#${id}`, sk: "SESSION" }),
  tokenList: "TOKENS",
  namedToken: (name: string): Key => ({ pk: "TOKENS", sk: `TOKEN#${name}` }),
  tokenDigest: (digest: string): Key => ({ pk: `TOKEN_DIGEST#${digest}`, sk: "TOKEN_DIGEST" }),
};

export interface PersonSessionItem extends Key, PersonSession {
  /** Epoch ms: what reads compare (DynamoDB's TTL deletes the item up to days later). */
  expiresAtMs: number;
  /** Epoch seconds. */
  ttl: number;
}

export interface NamedTokenItem extends Key, NamedToken {}

export function toPersonSession(item: PersonSessionItem): PersonSession {
  return { id: item.id, login: item.login, via: item.via, createdAt: item.createdAt, expiresAt: item.expiresAt };
}

export function toNamedToken(item: NamedTokenItem): NamedToken {
  return {
    name: item.name,
    digest: item.digest,
    scopes: item.scopes,
    createdBy: item.createdBy,
    createdAt: item.createdAt,
  };
}
