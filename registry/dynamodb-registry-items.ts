import {
  type Environment,
  type EnvironmentError,
  type EnvironmentKind,
  type EnvironmentStatus,
  formatIdentityKey,
} from "../core/environment.ts";
import type { EnvironmentCost } from "../core/environment-cost.ts";
import type { HistoryEvent } from "../core/history-event.ts";
import { identityOf } from "../core/identity-of.ts";
import { compactEnvironment } from "./compact-environment.ts";
import { formatSearchText } from "./format-search-text.ts";
import type { LogLine } from "./registry.ts";

/*
 * The registry's items, all in one table (aws/aws-resources.ts, `registryTable`), told apart by key:
 *
 * | item          | pk                      | sk                    | attributes                                          |
 * |---------------|-------------------------|-----------------------|-----------------------------------------------------|
 * | environment   | ENV#<id>                | ENVIRONMENT           | EnvironmentItem below; also the claim on its name   |
 * | sequences     | ENV#<id>                | SEQUENCES             | eventSeq, logSeq: the last numbers handed out       |
 * | history event | ENV#<id>                | EVENT#<id, 16 digits> | the HistoryEvent fields                             |
 * | log line      | ENV#<id>                | LOG#<seq, 16 digits>  | seq, jobId, at, text                                |
 * | log job       | ENV#<id>                | LOGJOB#<job id>       | lineCount, truncated, seqAfter (lower bound)        |
 * | config value  | ENV#<id>                | CONFIG#<key>          | key, value, secret, updatedAt: the environment's own |
 * | copy config   | ENV#<id>                | EFFECTIVE_CONFIG      | entriesJson: the last deploy's config, masked        |
 * | cost detail   | ENV#<id>                | COST_DETAIL           | detailJson: the last cost measurement's detail      |
 * | identity      | IDENTITY#<identity key> | IDENTITY              | environmentId: keeps an identity to one environment |
 * | delivery      | DELIVERY#<delivery id>  | DELIVERY              | seenAt (epoch ms), traced, ttl (epoch s)            |
 * | signature     | SIGNATURE#<sha256 hex>  | SIGNATURE             | deliveryId (the first to bring it), seenAt, ttl     |
 * | revoked       | SESSION#<session id>    | REVOKED               | expiresAt (epoch ms), ttl: a logged-out session     |
 * | counts        | COUNTS                  | COUNTS                | one number per status                               |
 *
 * People's sessions and named tokens (the access store): dynamodb-access-items.ts.
 *
 * Only environment items carry index keys; every index sorts by `<updatedAt>#<id>` (ISO 8601 is fixed
 * width, so this sorts exactly as (updatedAt, id)), newest first when queried backwards:
 * - gsi1: `ENVIRONMENTS`, every environment (includeDestroyed);
 * - gsi2: `REPOSITORY#<lowercase owner/name>`, every environment of a repository (the sweeps that
 *   reconcile one repository, a pull request's environment found by its number);
 * - gsi3: `LIVE`, absent once destroyed: a sparse index, so the default listing (dashboard, expiry)
 *   never reads through the destroyed environments that pile up over months.
 * Every write of an environment moves its entry in all three (updatedAt is in the sort key): one
 * environment write costs 1 + 3 x 2 write units (an index entry whose key changes is a delete and a
 * put). The registry writes a handful of times per deploy, so that buys Queries for every listing.
 * One partition key per index value is fine at that rate, far below a partition's 1,000 writes/s.
 */

export type Key = { pk: string; sk: string };

const SEQ_DIGITS = 16;
const pad = (n: number) => String(n).padStart(SEQ_DIGITS, "0");
const environmentPk = (id: string) => `ENV#${id}`;

/** The key of every item kind, in one place. */
export const registryKeys = {
  environment: (id: string): Key => ({ pk: environmentPk(id), sk: "ENVIRONMENT" }),
  sequences: (id: string): Key => ({ pk: environmentPk(id), sk: "SEQUENCES" }),
  event: (id: string, eventId: number): Key => ({ pk: environmentPk(id), sk: `EVENT#${pad(eventId)}` }),
  /** Seq 0 and Number.MAX_SAFE_INTEGER bound a range of log lines (LOGJOB# sorts after every LOG#). */
  logLine: (id: string, seq: number): Key => ({ pk: environmentPk(id), sk: `LOG#${pad(seq)}` }),
  logJob: (id: string, jobId: string): Key => ({ pk: environmentPk(id), sk: `LOGJOB#${jobId}` }),
  identity: (identityKey: string): Key => ({ pk: `IDENTITY#${identityKey}`, sk: "IDENTITY" }),
  delivery: (deliveryId: string): Key => ({ pk: `DELIVERY#${deliveryId}`, sk: "DELIVERY" }),
  /** A dashboard session ended by logout (its id is a digest, never the cookie). */
  revokedSession: (sessionId: string): Key => ({ pk: `SESSION#${sessionId}`, sk: "REVOKED" }),
  /** A digest of a delivery's X-Hub-Signature-256, bound to the delivery id that first brought it. */
  signature: (signatureDigest: string): Key => ({ pk: `SIGNATURE#${signatureDigest}`, sk: "SIGNATURE" }),
  counts: (): Key => ({ pk: "COUNTS", sk: "COUNTS" }),
  eventPrefix: "EVENT#",
  environmentPk,
};

/** The indexes environments are listed from, by what a query asks for. */
export const environmentIndexes = {
  all: { name: "gsi1", pk: "gsi1pk", sk: "gsi1sk", value: () => "ENVIRONMENTS" },
  repository: {
    name: "gsi2",
    pk: "gsi2pk",
    sk: "gsi2sk",
    value: (repository: string) => `REPOSITORY#${repository.toLowerCase()}`,
  },
  live: { name: "gsi3", pk: "gsi3pk", sk: "gsi3sk", value: () => "LIVE" },
} as const;

export interface EnvironmentItem extends Key {
  id: string;
  name: string;
  identityKey: string;
  kind: EnvironmentKind;
  repository: string;
  /** Lowercase: GitHub repository names are case-insensitive. */
  repositoryKey: string;
  branch: string;
  pullRequest?: number;
  owner?: string;
  ownerKey?: string;
  status: EnvironmentStatus;
  url?: string;
  commitSha?: string;
  createdAt: string;
  updatedAt: string;
  expiresAt?: string;
  lastError?: EnvironmentError;
  lastDeployMs?: number;
  /** JSON, not a map: outputs come back exactly as given (DynamoDB maps have no empty sets, no NaN...). */
  outputsJson?: string;
  /** The last cost measurement, JSON (issue 21): set by saveCost alone, kept by every other write. */
  costJson?: string;
  /** Lowercase name, branch and repository, one per line: what `search` looks in. */
  searchText: string;
  /** Optimistic concurrency: every write of the item is conditional on the version it read. */
  version: number;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk: string;
  gsi2sk: string;
  gsi3pk?: string;
  gsi3sk?: string;
}

export interface HistoryEventItem extends Key, HistoryEvent {}

export interface LogLineItem extends Key, LogLine {}

export interface LogJobItem extends Key {
  lineCount: number;
  truncated: boolean;
  /** Every line of the job has a greater seq: where reading the job's lines starts. */
  seqAfter: number;
}

export interface DeliveryItem extends Key {
  /** Epoch ms; absent once forgotten (the item may stay for `traced`). */
  seenAt?: number;
  /** A history event carries the id: its handling got far enough to leave a trace. */
  traced?: boolean;
  /** Epoch seconds: DynamoDB deletes the item some time after (up to days), so reads check `seenAt`. */
  ttl?: number;
}

export interface SignatureItem extends Key {
  /** The delivery that first brought the signature: GitHub's redeliveries of it carry the same id. */
  deliveryId: string;
  /** Epoch ms. */
  seenAt: number;
  /** Epoch seconds, as a delivery's. */
  ttl: number;
}

export interface RevokedSessionItem extends Key {
  /** Epoch ms: the session's own expiry; past it the revocation means nothing. */
  expiresAt: number;
  /** Epoch seconds: DynamoDB deletes the item some time after. */
  ttl: number;
}

/** The environment item of `environment`, index keys included. */
export function toEnvironmentItem(environment: Environment, version: number): EnvironmentItem {
  const { outputs, cost, ...fields } = environment;
  const sortKey = formatSortKey(environment.updatedAt, environment.id);
  return {
    ...registryKeys.environment(environment.id),
    ...fields,
    identityKey: formatIdentityKey(identityOf(environment)),
    repositoryKey: environment.repository.toLowerCase(),
    ...(environment.owner !== undefined && { ownerKey: environment.owner.toLowerCase() }),
    ...(outputs !== undefined && { outputsJson: JSON.stringify(outputs) }),
    ...(cost !== undefined && { costJson: JSON.stringify(cost) }),
    searchText: formatSearchText(environment),
    version,
    gsi1pk: environmentIndexes.all.value(),
    gsi1sk: sortKey,
    gsi2pk: environmentIndexes.repository.value(environment.repository),
    gsi2sk: sortKey,
    ...(environment.status !== "destroyed" && { gsi3pk: environmentIndexes.live.value(), gsi3sk: sortKey }),
  };
}

/** The environment an item holds (see compact-environment.ts), outputs parsed back from their JSON. */
export function toEnvironment({ outputsJson, costJson, ...item }: EnvironmentItem): Environment {
  return compactEnvironment({
    ...item,
    outputs: outputsJson === undefined ? undefined : (JSON.parse(outputsJson) as Record<string, unknown>),
    cost: costJson === undefined ? undefined : (JSON.parse(costJson) as EnvironmentCost),
  });
}

export function toLogLine(item: LogLineItem): LogLine {
  return { seq: item.seq, jobId: item.jobId, at: item.at, text: item.text };
}

/** Every index's sort key: ISO 8601 is fixed width, so it sorts exactly as (updatedAt, id). */
export function formatSortKey(updatedAt: string, id: string): string {
  return `${updatedAt}#${id}`;
}

/** Conditions on an item's existence (every item has a `pk`). */
export const NOT_EXISTS = "attribute_not_exists(pk)";
export const EXISTS = "attribute_exists(pk)";
