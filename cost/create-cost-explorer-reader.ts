import {
  type CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
} from "@aws-sdk/client-cost-explorer";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import type { CostDetail } from "../core/environment-cost.ts";

const DAY_MS = 86_400_000;
/** Each GetCostAndUsage request costs $0.01, and the data lags about a day: once a day is enough. */
const READ_EVERY_MS = DAY_MS;

/**
 * Cost Explorer's own figure per environment, by the `environment` cost-allocation tag every copy's
 * resources carry (the operator activates it in the Billing console; until then it groups nothing):
 * the last 30 full UTC days, unblended, one request (and its pages) for every environment at once,
 * at most once a day; between two reads the last answer is reused. Keyed by environment name.
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html
 */
export function createCostExplorerReader(deps: {
  client: Pick<CostExplorerClient, "send">;
  now: () => Date;
}): () => Promise<Map<string, NonNullable<CostDetail["costExplorer"]>>> {
  let last: { at: number; figures: Map<string, NonNullable<CostDetail["costExplorer"]>> } | undefined;
  return async () => {
    const now = deps.now().getTime();
    if (last && now - last.at < READ_EVERY_MS) return last.figures;
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    const start = new Date(today - 30 * DAY_MS).toISOString().slice(0, 10);
    const end = new Date(today).toISOString().slice(0, 10);
    const through = new Date(today - DAY_MS).toISOString().slice(0, 10);
    const figures = new Map<string, NonNullable<CostDetail["costExplorer"]>>();
    let token: string | undefined;
    do {
      let output: GetCostAndUsageCommandOutput;
      try {
        output = await deps.client.send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: start, End: end },
            Granularity: "MONTHLY",
            Metrics: ["UnblendedCost"],
            Filter: { Tags: { Key: "managed-by", Values: ["stackfork"] } },
            GroupBy: [{ Type: "TAG", Key: "environment" }],
            ...(token && { NextPageToken: token }),
          }),
        );
      } catch (err) {
        throw translateAwsError(err, "GetCostAndUsage (Cost Explorer)");
      }
      for (const period of output.ResultsByTime ?? []) {
        for (const group of period.Groups ?? []) {
          // Tag groups are keyed `environment$<value>`; `environment$` is the untagged rest.
          const name = group.Keys?.[0]?.replace(/^environment\$/, "");
          const amount = Number(group.Metrics?.UnblendedCost?.Amount ?? 0);
          if (!name) continue;
          const previous = figures.get(name)?.last30dUsd ?? 0;
          figures.set(name, { last30dUsd: previous + amount, through });
        }
      }
      token = output.NextPageToken;
    } while (token);
    last = { at: now, figures };
    return figures;
  };
}
