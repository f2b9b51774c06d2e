import { describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import { groupCopyResources } from "./group-copy-resources.ts";

const env = (id: string, name: string, url?: string) =>
  ({
    id,
    name,
    kind: "branch",
    repository: "acme/api",
    branch: name,
    status: "ready",
    createdAt: "",
    updatedAt: "",
    ...(url && { url }),
  }) as Environment;
const tagged = (arn: string, type: string, environment: string) => ({
  arn,
  type,
  tags: { environment, "managed-by": "stackfork" },
});

describe("groupCopyResources", () => {
  it("names each copy's function, API, table and log groups from its tagged ARNs and its URL", () => {
    const grouped = groupCopyResources(
      [env("1", "feat-a", "https://abc123.execute-api.eu-west-1.amazonaws.com"), env("2", "feat-b")],
      [
        tagged("arn:aws:lambda:eu-west-1:1:function:feat-a-api", "lambda:function", "feat-a"),
        tagged("arn:aws:dynamodb:eu-west-1:1:table/feat-a-items", "dynamodb:table", "feat-a"),
        tagged("arn:aws:logs:eu-west-1:1:log-group:/custom/feat-a:*", "logs:log-group", "feat-a"),
        tagged("arn:aws:apigateway:eu-west-1::/apis/def456", "apigateway:apis", "feat-b"),
        tagged("arn:aws:sqs:eu-west-1:1:feat-b-queue", "sqs:queue", "feat-b"),
        tagged("arn:aws:dynamodb:eu-west-1:1:table/other-items", "dynamodb:table", "not-listed"),
      ],
    );
    expect(grouped.get("1")).toEqual({
      functions: ["feat-a-api"],
      apis: ["abc123"],
      tables: ["feat-a-items"],
      logGroups: ["/custom/feat-a", "/aws/lambda/feat-a-api"],
    });
    expect(grouped.get("2")).toEqual({ functions: [], apis: ["def456"], tables: [], logGroups: [] });
  });

  it("a copy with nothing tagged and no API URL owns nothing (a local copy's loopback URL is no API)", () => {
    expect(groupCopyResources([env("3", "c", "http://127.0.0.1:4000")], []).get("3")).toEqual({
      functions: [],
      apis: [],
      tables: [],
      logGroups: [],
    });
  });
});
