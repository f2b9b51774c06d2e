import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it } from "vitest";
import { uniqueAwsPrefix } from "../test/support/aws-test-resources.ts";
import { assumeDeployerRole, deployerSessionNameOf } from "./assume-deployer-role.ts";
import { awsClientConfig } from "./aws-client-config.ts";
import { defineAwsResources } from "./aws-resources.ts";
import { bootstrapAwsResources } from "./bootstrap-aws-resources.ts";
import { createAwsClients } from "./create-aws-clients.ts";

const job = { environment: "shop-feature-x", project: "acme-shop", repository: "acme/shop" };

describe("assumeDeployerRole (against the emulator)", () => {
  let roleArn: string;
  let prefix: string;
  beforeAll(async () => {
    prefix = uniqueAwsPrefix("assume");
    const clients = createAwsClients();
    roleArn = (await bootstrapAwsResources({ clients, resources: defineAwsResources(prefix) })).deployer.roleArn;
    clients.destroy();
  });

  it("hands back the deployer's own temporary credentials, a session named after the environment", async () => {
    const credentials = await assumeDeployerRole({ roleArn, ...job, durationSeconds: 900 });
    expect(credentials.accessKeyId).not.toBe(process.env.AWS_ACCESS_KEY_ID);
    expect(credentials.secretAccessKey).not.toBe(process.env.AWS_SECRET_ACCESS_KEY);
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now());
    expect(credentials.expiration.getTime()).toBeLessThanOrEqual(Date.now() + 900_000 + 60_000);

    const sts = new STSClient({ ...awsClientConfig(), credentials });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    expect(identity.Arn).toMatch(new RegExp(`:assumed-role/${prefix}-deployer/stackfork-shop-feature-x$`));
  });

  it("refuses tag values IAM would refuse, before asking STS", async () => {
    for (const bad of [
      { ...job, environment: "Shop_Main" },
      { ...job, project: "" },
      { ...job, repository: "acme/shop*" },
      { ...job, repository: "x".repeat(257) },
    ]) {
      await expect(assumeDeployerRole({ roleArn, ...bad }), JSON.stringify(bad)).rejects.toMatchObject({
        code: "INVALID_INPUT",
      });
    }
  });

  it("names the endpoint when STS does not answer", async () => {
    const error = await assumeDeployerRole({
      roleArn,
      ...job,
      clientConfig: { endpoint: "http://127.0.0.1:9", maxAttempts: 1 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "AWS_UNAVAILABLE" });
  });
});

describe("deployerSessionNameOf", () => {
  it("fits STS's 64 characters and allowed set, whatever it is given", () => {
    for (const environment of ["shop-main", "a".repeat(80), "weird name/ünï"]) {
      const name = deployerSessionNameOf(environment);
      expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
      expect(name.startsWith("stackfork-")).toBe(true);
    }
  });
});
