import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { StackforkError } from "../core/errors.ts";
import { countPlatformActivity } from "../cost/count-platform-activity.ts";
import { pricePlatformActivity } from "../cost/price-platform-activity.ts";
import { PRICE_TABLE } from "../cost/price-table.ts";
import type { Registry } from "../registry/registry.ts";
import type { RequestAccess } from "./create-request-access.ts";
import type { PageHelpers } from "./page-helpers.ts";
import { renderPlatformCost } from "./render-platform-cost.ts";

export interface CostPageDeps extends Pick<PageHelpers, "sendPage"> {
  registry: Pick<Registry, "listEnvironments" | "listEvents" | "countByStatus">;
  mayRead: (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;
  access: Pick<RequestAccess, "visibility">;
  now: () => Date;
  /** @default "us-east-1" */
  region?: string;
}

/** Counting reads the history of every environment active in 30 days: once in this long at most. */
const COUNT_MAX_AGE_MS = 5 * 60_000;

/** `GET /cost`: the platform's own running cost, on a page of its own. */
export function registerCostPages(pages: FastifyInstance, deps: CostPageDeps): void {
  const region = deps.region ?? "us-east-1";
  let counted: { at: number; activity: ReturnType<typeof countPlatformActivity> } | undefined;
  pages.get("/cost", async (request, reply) => {
    if (!(await deps.mayRead(request, reply))) return reply;
    // Its counts cover every repository: not for a person who may not see them all.
    if (await deps.access.visibility(request))
      throw new StackforkError("FORBIDDEN", "the platform's own cost covers every repository: it is for admins");
    const prices = PRICE_TABLE.regions[region];
    if (!prices) throw new StackforkError("PRICE_REGION_MISSING", `The price table has no prices for ${region}.`);
    const now = deps.now();
    if (!counted || now.getTime() - counted.at >= COUNT_MAX_AGE_MS || now.getTime() < counted.at) {
      const activity = countPlatformActivity(deps.registry, now);
      counted = { at: now.getTime(), activity };
      activity.catch(() => {
        if (counted?.activity === activity) counted = undefined;
      });
    }
    const activity = await counted.activity;
    const body = renderPlatformCost({
      activity,
      cost: pricePlatformActivity(activity, prices),
      region,
      pricesTakenAt: PRICE_TABLE.takenAt,
    });
    return deps.sendPage(request, reply, 200, { title: "Platform cost", current: "cost" }, body);
  });
}
