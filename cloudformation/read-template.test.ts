import { describe, expect, it } from "vitest";
import { readTemplate } from "./read-template.ts";

describe("readTemplate", () => {
  it("reads YAML's short tags as the intrinsic functions' JSON form", () => {
    const template = readTemplate(
      `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      FunctionName: !Sub "\${AWS::StackName}-fn"
      Handler: !Join [".", [index, handler]]
      Environment:
        Variables:
          TABLE: !Ref Table
          FIRST: !Select [0, !GetAZs ""]
          MAPPED: !FindInMap [Map, !Ref "AWS::Region", Key]
          FLAG: !If [IsProd, !Sub ["\${X}", { X: !ImportValue shared }], !Base64 plain]
`,
      "template.yaml",
    );
    expect(template.Resources?.Fn?.Properties).toEqual({
      Role: { "Fn::GetAtt": ["Role", "Arn"] },
      FunctionName: { "Fn::Sub": "${AWS::StackName}-fn" },
      Handler: { "Fn::Join": [".", ["index", "handler"]] },
      Environment: {
        Variables: {
          TABLE: { Ref: "Table" },
          FIRST: { "Fn::Select": [0, { "Fn::GetAZs": "" }] },
          MAPPED: { "Fn::FindInMap": ["Map", { Ref: "AWS::Region" }, "Key"] },
          FLAG: {
            "Fn::If": [
              "IsProd",
              { "Fn::Sub": ["${X}", { X: { "Fn::ImportValue": "shared" } }] },
              { "Fn::Base64": "plain" },
            ],
          },
        },
      },
    });
    expect(template.Transform).toBe("AWS::Serverless-2016-10-31");
  });

  it("reads JSON as it is", () => {
    const json = { Resources: { T: { Type: "AWS::DynamoDB::Table", Properties: { BillingMode: "PAY_PER_REQUEST" } } } };
    expect(readTemplate(JSON.stringify(json), "t.json")).toEqual(json);
  });

  it("refuses what is not a template, with TEMPLATE_INVALID", () => {
    expect(() => readTemplate("a: [", "t.yaml")).toThrow(expect.objectContaining({ code: "TEMPLATE_INVALID" }));
    expect(() => readTemplate("Outputs: {}", "t.yaml")).toThrow(expect.objectContaining({ code: "TEMPLATE_INVALID" }));
    expect(() => readTemplate("- 1", "t.yaml")).toThrow(expect.objectContaining({ code: "TEMPLATE_INVALID" }));
  });
});
