import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArtifactStore } from "./artifact-store.ts";
import { packageTemplate } from "./package-template.ts";
import { readTemplate } from "./read-template.ts";
import { zipDeterministically } from "./zip-deterministically.ts";

const s3 = new S3Client({ forcePathStyle: true });
const bucket = `cfn-package-${Date.now()}`;
const root = mkdtempSync(path.join(tmpdir(), "cfn-package-"));
const store = createArtifactStore(s3, { bucket, prefix: "artifacts/env-a/", region: "us-east-1" });

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  mkdirSync(path.join(root, "src/lib"), { recursive: true });
  writeFileSync(path.join(root, "src/index.js"), "exports.handler = async () => 'v1';\n");
  writeFileSync(path.join(root, "src/lib/util.js"), "module.exports = 1;\n");
  writeFileSync(
    path.join(root, "nested.yaml"),
    "Resources:\n  Inner:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: src\n",
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const template = () =>
  readTemplate(
    `Transform: AWS::Serverless-2016-10-31
Resources:
  Sam:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: index.handler, Runtime: nodejs20.x }
  Plain:
    Type: AWS::Lambda::Function
    Properties: { Code: ./src, Handler: index.handler }
  Remote:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: s3://elsewhere/code.zip }
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: { TemplateURL: nested.yaml }
`,
    "template.yaml",
  );

describe("packageTemplate", () => {
  it("zips local code once under its content's hash and rewrites the template to the objects", async () => {
    const first = await packageTemplate(template(), { templateDir: root, root, store });
    const key = first.artifacts.find((a) => a.resource === "Sam")?.key ?? "";
    expect(key).toMatch(/^artifacts\/env-a\/[0-9a-f]{64}\.zip$/);
    expect(first.template.Resources?.Sam?.Properties?.CodeUri).toBe(`s3://${bucket}/${key}`);
    expect(first.template.Resources?.Plain?.Properties?.Code).toEqual({ S3Bucket: bucket, S3Key: key });
    expect(first.template.Resources?.Remote?.Properties?.CodeUri).toBe("s3://elsewhere/code.zip");
    const childUrl = first.template.Resources?.Child?.Properties?.TemplateURL as string;
    expect(childUrl).toMatch(
      new RegExp(
        `^https://${bucket}\\.s3\\.us-east-1\\.amazonaws\\.com/artifacts/env-a/[0-9a-f]{64}\\.template\\.json$`,
      ),
    );
    const nested = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: new URL(childUrl).pathname.slice(1) }));
    expect(JSON.parse((await nested.Body?.transformToString()) ?? "{}").Resources.Inner.Properties.Code).toEqual({
      S3Bucket: bucket,
      S3Key: key,
    });
    // The object is the deterministic zip of the folder.
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from((await stored.Body?.transformToByteArray()) ?? [])).toEqual(
      Buffer.from(zipDeterministically(path.join(root, "src"), root)),
    );
    expect(first.artifacts.filter((a) => a.uploaded).map((a) => a.resource)).toEqual(["Sam", "Child"]);

    // Unchanged: nothing uploaded; changed code: a new key.
    const again = await packageTemplate(template(), { templateDir: root, root, store });
    expect(again.artifacts.every((a) => !a.uploaded)).toBe(true);
    writeFileSync(path.join(root, "src/index.js"), "exports.handler = async () => 'v2';\n");
    const changed = await packageTemplate(template(), { templateDir: root, root, store });
    expect(changed.artifacts.find((a) => a.resource === "Sam")).toMatchObject({ uploaded: true });
    expect(changed.artifacts.find((a) => a.resource === "Sam")?.key).not.toBe(key);
  });

  it("makes the same bytes for the same content, whatever the files' times", () => {
    const a = zipDeterministically(path.join(root, "src"), root);
    writeFileSync(path.join(root, "src/lib/util.js"), "module.exports = 1;\n");
    expect(Buffer.from(zipDeterministically(path.join(root, "src"), root))).toEqual(Buffer.from(a));
  });

  it("refuses a path out of the repository, or a link out of it", async () => {
    const outside = readTemplate(
      "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties: { Code: ../.. }\n",
      "t.yaml",
    );
    await expect(packageTemplate(outside, { templateDir: root, root, store })).rejects.toMatchObject({
      code: "TEMPLATE_INVALID",
    });
    symlinkSync("/etc", path.join(root, "src/etc"));
    await expect(packageTemplate(template(), { templateDir: root, root, store })).rejects.toMatchObject({
      code: "TEMPLATE_INVALID",
    });
    rmSync(path.join(root, "src/etc"));
  });
});
