import { randomBytes } from "node:crypto";
import { CreateBucketCommand, PutBucketTaggingCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { isStackforkError } from "../core/errors.ts";
import { createAwsClients, createTaggingClient } from "./create-aws-clients.ts";
import { listTaggedResources } from "./list-tagged-resources.ts";

describe("listTaggedResources on the emulator", () => {
  const clients = createAwsClients();
  const tagging = createTaggingClient();
  afterAll(() => {
    clients.destroy();
    tagging.destroy();
  });

  it("reads every page of the resources carrying all the filters' tags, with their types", async () => {
    const run = randomBytes(4).toString("hex");
    const tags = { "managed-by": "stackfork", "test-run": run };
    for (let i = 0; i < 105; i++) {
      await clients.sqs.send(new CreateQueueCommand({ QueueName: `t-tagged-${run}-${i}`, tags }));
    }
    // Same run, another value of one filter: not listed.
    await clients.sqs.send(
      new CreateQueueCommand({ QueueName: `t-tagged-${run}-other`, tags: { ...tags, "managed-by": "someone" } }),
    );
    const bucket = `t-tagged-${run}`;
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await clients.s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );

    const found = await listTaggedResources(tagging, [
      { key: "managed-by", values: ["stackfork"] },
      { key: "test-run", values: [run] },
    ]);
    expect(found).toHaveLength(106);
    expect(new Set(found.map((r) => r.arn)).size).toBe(106);
    expect(found.filter((r) => r.type === "sqs:queue")).toHaveLength(105);
    expect(found.find((r) => r.type === "s3:bucket")).toEqual({
      arn: `arn:aws:s3:::${bucket}`,
      type: "s3:bucket",
      tags,
    });
    // A key with no values: any value.
    expect(
      await listTaggedResources(tagging, [{ key: "test-run", values: [run] }, { key: "managed-by" }]),
    ).toHaveLength(107);
  });

  it("translates AWS's errors into our codes", async () => {
    const offline = createTaggingClient({ endpoint: "http://127.0.0.1:9", maxAttempts: 1 });
    const error = await listTaggedResources(offline, [{ key: "managed-by" }]).catch((e: unknown) => e);
    offline.destroy();
    expect(isStackforkError(error, "AWS_UNAVAILABLE")).toBe(true);
  });
});
