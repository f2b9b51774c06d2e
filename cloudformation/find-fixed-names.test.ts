import { describe, expect, it } from "vitest";
import { describeFixedNames, findFixedNames } from "./find-fixed-names.ts";
import { readTemplate } from "./read-template.ts";

describe("findFixedNames", () => {
  const template = readTemplate(
    `Parameters:
  Stage: { Type: String }
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: orders }
  Staged:
    Type: AWS::SQS::Queue
    Properties: { QueueName: !Sub "\${Stage}-jobs" }
  PerCopy:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: !Sub "\${AWS::StackName}-items" }
  Joined:
    Type: AWS::IAM::Role
    Properties: { RoleName: !Join ["-", [!Ref "AWS::StackName", role]] }
  Unnamed:
    Type: AWS::Lambda::Function
    Properties: { Handler: index.handler }
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: { Name: shop }
`,
    "template.yaml",
  );

  it("finds literal names and names every copy shares, not those built from the stack's name", () => {
    expect(findFixedNames(template)).toEqual([
      { resource: "Orders", type: "AWS::DynamoDB::Table", property: "TableName" },
      { resource: "Staged", type: "AWS::SQS::Queue", property: "QueueName" },
    ]);
  });

  it("names each resource and the fix", () => {
    const text = describeFixedNames(findFixedNames(template));
    expect(text).toContain('Orders (AWS::DynamoDB::Table) sets TableName: write !Sub "${AWS::StackName}-orders"');
    expect(text).toContain("Staged (AWS::SQS::Queue) sets QueueName");
    expect(text).toContain('"allowFixedNames": true');
  });
});
