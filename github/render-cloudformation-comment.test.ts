import { describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import { renderEnvironmentComment } from "./render-environment-comment.ts";

const consoleUrl =
  "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/stackinfo?stackId=arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack%2Fshop-feature-x%2F1";
const environment: Environment = {
  id: "env-1",
  name: "shop-feature-x",
  kind: "branch",
  repository: "acme/shop",
  branch: "feature/x",
  status: "ready",
  url: "https://abc.execute-api.us-east-1.amazonaws.com/prod/",
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
  outputs: { url: "https://abc.execute-api.us-east-1.amazonaws.com/prod/", stackName: "shop-feature-x", consoleUrl },
};

const render = (phase: "ready" | "destroyed") =>
  renderEnvironmentComment({
    notice: { environment, phase },
    updatedAt: new Date("2025-01-01T12:00:00Z"),
    webUrl: "https://github.com",
  });

describe("a CloudFormation copy's PR comment", () => {
  it("names its stack, linked to the AWS console", () => {
    expect(render("ready")).toContain(`| **CloudFormation stack** | [\`shop-feature-x\`](${consoleUrl}) |`);
  });
  it("no longer once destroyed", () => {
    expect(render("destroyed")).not.toContain("CloudFormation stack");
  });
});
