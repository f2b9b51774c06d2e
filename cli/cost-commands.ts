import type { CostGroup, CostSums } from "../cost/total-environment-costs.ts";
import { type Command, EXIT, readToken, UsageError } from "./command-line.ts";
import { COST_HEADER, formatCostCells } from "./format-cost-cells.ts";
import { printTable } from "./list-environments.ts";
import { requestApi } from "./request-api.ts";

/** `stackfork cost`: what the live environments cost, per repository or owner (GET /api/cost). */
export const costCommands: Record<string, Command> = {
  cost: {
    help: `stackfork cost [--by repository|owner] [--json]
  What the live environments cost, as the server last measured them (costIntervalSeconds), per
  repository (default) or per owner, and in total: idle per month (storage only), the last 24 hours,
  30 days, their lives, and the same copies always on (the smallest instance each). US dollars,
  sub-cent figures as they are; ~ marks estimates (copies on this machine). Owner "" gathers branch
  and pull request environments.`,
    options: { by: { type: "string" }, json: { type: "boolean" } },
    async run(args, config) {
      const by = args.values.by ?? "repository";
      if (by !== "repository" && by !== "owner") throw new UsageError("--by takes repository or owner");
      const totals = await requestApi<{ by: string; groups: CostGroup[]; total: CostSums }>(
        config.serverUrl,
        `/api/cost?by=${by}`,
        { token: readToken(config) },
      );
      if (args.values.json === true) {
        console.log(JSON.stringify(totals, null, 2));
        return EXIT.ok;
      }
      const row = (key: string, sums: CostSums) => [
        key,
        String(sums.count),
        String(sums.measured),
        ...formatCostCells(sums.measured > 0 ? sums : null),
      ];
      printTable(
        [by.toUpperCase(), "ENVIRONMENTS", "MEASURED", ...COST_HEADER],
        [...totals.groups.map((g) => row(g.key || "(none)", g)), row("TOTAL", totals.total)],
      );
      return EXIT.ok;
    },
  },
};
