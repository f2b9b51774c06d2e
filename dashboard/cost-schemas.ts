// Not imported from api-schemas.ts, which imports this file.
const dateTimeSchema = { type: "string", format: "date-time" } as const;
const usd = (description: string) => ({ type: "number", description: `US dollars, unrounded: ${description}` });

/** `Environment.cost` (issue 21's contract): null before the first measurement. */
export const environmentCostSchema = {
  type: ["object", "null"],
  description:
    "What the environment costs, as last measured by the maintenance run; null before the first measurement.",
  required: ["idleMonthlyUsd", "last24hUsd", "last30dUsd", "lifeUsd", "alwaysOnMonthlyUsd", "estimated", "measuredAt"],
  properties: {
    idleMonthlyUsd: usd("per month with no traffic (storage only)"),
    last24hUsd: usd("the last 24 hours"),
    last30dUsd: usd("the last 30 days"),
    lifeUsd: usd("since the environment was created"),
    alwaysOnMonthlyUsd: usd("the smallest instance that could serve it, on for a month"),
    estimated: { type: "boolean", description: "A copy on this machine: what the same traffic would cost on AWS." },
    measuredAt: dateTimeSchema,
  },
} as const;

const usageSchema = {
  type: "object",
  properties: Object.fromEntries(
    ["lambdaRequests", "lambdaGbSeconds", "apiRequests", "dynamoReadUnits", "dynamoWriteUnits", "logIngestedBytes"].map(
      (key) => [key, { type: "number" }],
    ),
  ),
} as const;

/** `GET /api/environments/:id/cost`: the last measurement's detail (registry/cost-store.ts). */
export const costDetailSchema = {
  type: "object",
  required: ["daily", "last24h", "last30d", "stored", "pricedWith"],
  properties: {
    daily: {
      type: "array",
      description: "Oldest first, one entry per day of the last 30",
      items: { type: "object", properties: { day: { type: "string" }, usd: { type: "number" } } },
    },
    last24h: usageSchema,
    last30d: usageSchema,
    stored: {
      type: "object",
      properties: { dynamoBytes: { type: "number" }, logBytes: { type: "number" }, stateBytes: { type: "number" } },
    },
    pricedWith: { type: "object", properties: { region: { type: "string" }, takenAt: { type: "string" } } },
    costExplorer: {
      type: "object",
      description: "Cost Explorer's figure by cost-allocation tag, when turned on (a day behind)",
      properties: { last30dUsd: { type: "number" }, through: { type: "string" } },
    },
  },
} as const;

export const costTotalsQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: { by: { type: "string", enum: ["repository", "owner"], default: "repository" } },
} as const;

const totalProperties = {
  count: { type: "integer", description: "Live environments" },
  measured: { type: "integer", description: "Of which measured at least once" },
  idleMonthlyUsd: usd("per month with no traffic"),
  last24hUsd: usd("the last 24 hours"),
  last30dUsd: usd("the last 30 days"),
  lifeUsd: usd("since each was created"),
  alwaysOnMonthlyUsd: usd("each on the smallest instance, for a month"),
  estimated: { type: "boolean", description: "Some figures are estimates (copies on this machine)" },
} as const;

/** `GET /api/cost?by=repository|owner`. */
export const costTotalsSchema = {
  type: "object",
  required: ["by", "groups", "total"],
  properties: {
    by: { type: "string", enum: ["repository", "owner"] },
    groups: {
      type: "array",
      description: 'Costliest over the last 30 days first; owner "" gathers branches and pull requests',
      items: { type: "object", properties: { key: { type: "string" }, ...totalProperties } },
    },
    total: { type: "object", properties: totalProperties },
  },
} as const;
