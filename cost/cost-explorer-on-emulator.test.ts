import { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import { describe, expect, it } from "vitest";
import { awsClientConfig } from "../aws/aws-client-config.ts";
import { createCostExplorerReader } from "./create-cost-explorer-reader.ts";

// The emulator's Cost Explorer tracks no costs: it answers GetCostAndUsage with the results loaded
// into it (its /moto-api/static/ce/cost-and-usage-results). What this checks is the wire: the
// request the SDK sends and the answer it reads back, grouped by the environment tag.
describe("Cost Explorer on the AWS emulator", () => {
  it("reads the 30-day figure per environment from GetCostAndUsage's answer", async () => {
    const endpoint = process.env.AWS_ENDPOINT_URL as string;
    const loaded = await fetch(`${endpoint}/moto-api/static/ce/cost-and-usage-results`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        results: [
          {
            ResultsByTime: [
              {
                TimePeriod: { Start: "2030-01-01", End: "2030-01-31" },
                Total: {},
                Groups: [
                  { Keys: ["environment$feature-ce"], Metrics: { UnblendedCost: { Amount: "0.0042", Unit: "USD" } } },
                  { Keys: ["environment$"], Metrics: { UnblendedCost: { Amount: "12", Unit: "USD" } } },
                ],
                Estimated: false,
              },
            ],
          },
        ],
      }),
    });
    expect(loaded.ok).toBe(true);
    const client = new CostExplorerClient({ ...awsClientConfig(), region: "us-east-1" });
    try {
      const read = createCostExplorerReader({ client, now: () => new Date("2030-01-31T10:00:00Z") });
      const figures = await read();
      expect([...figures]).toEqual([["feature-ce", { last30dUsd: 0.0042, through: "2030-01-30" }]]);
    } finally {
      client.destroy();
    }
  });
});
