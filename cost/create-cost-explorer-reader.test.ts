import type { GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import { describe, expect, it } from "vitest";
import { createCostExplorerReader } from "./create-cost-explorer-reader.ts";

// The AWS emulator's Cost Explorer answers only what was loaded into it, so this stubs the client with
// GetCostAndUsage's documented answer shape instead; unverified against AWS (README).
describe("createCostExplorerReader", () => {
  it("groups the last 30 full days by the environment tag, pages through, and asks at most once a day", async () => {
    const sent: GetCostAndUsageCommand[] = [];
    const pages = [
      {
        ResultsByTime: [
          {
            Groups: [
              { Keys: ["environment$feature-a"], Metrics: { UnblendedCost: { Amount: "0.0123", Unit: "USD" } } },
            ],
          },
        ],
        NextPageToken: "p2",
      },
      {
        ResultsByTime: [
          {
            Groups: [{ Keys: ["environment$feature-a"], Metrics: { UnblendedCost: { Amount: "0.001", Unit: "USD" } } }],
          },
          { Groups: [{ Keys: ["environment$"], Metrics: { UnblendedCost: { Amount: "9", Unit: "USD" } } }] },
        ],
      },
    ];
    const client = {
      send: async (command: GetCostAndUsageCommand) => {
        sent.push(command);
        return pages[sent.length - 1];
      },
    } as unknown as Parameters<typeof createCostExplorerReader>[0]["client"];
    let now = new Date("2030-01-31T15:00:00Z");
    const read = createCostExplorerReader({ client, now: () => now });
    const figures = await read();
    expect(figures.get("feature-a")?.last30dUsd).toBeCloseTo(0.0133, 10);
    expect(figures.get("feature-a")?.through).toBe("2030-01-30");
    expect(figures.size).toBe(1);
    expect(sent[0]?.input.TimePeriod).toEqual({ Start: "2030-01-01", End: "2030-01-31" });
    expect(sent[0]?.input.GroupBy).toEqual([{ Type: "TAG", Key: "environment" }]);
    expect(sent[1]?.input.NextPageToken).toBe("p2");
    now = new Date("2030-01-31T23:00:00Z");
    await read();
    expect(sent).toHaveLength(2);
  });
});
