import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DecryptCommand } from "@aws-sdk/client-kms";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import { afterAll, describe, expect, it } from "vitest";
import { requirePulumiCli } from "../provisioner/pulumi-cli.ts";
import { uniqueAwsPrefix } from "../test/support/aws-test-resources.ts";
import { defineAwsResources } from "./aws-resources.ts";
import { bootstrapAwsResources } from "./bootstrap-aws-resources.ts";
import { createAwsClients } from "./create-aws-clients.ts";

// The deployer's kms:Decrypt is conditioned on kms:EncryptionContext:environment
// (aws/deployer-state-statements.ts). This checks, with the pinned pulumi CLI and the emulator's
// KMS, that the URL form the runner uses does put the stack's data key under that context.
describe("the awskms:// secrets provider with an encryption context", () => {
  const work = mkdtempSync(path.join(tmpdir(), "stackfork-kms-context-"));
  const clients = createAwsClients();
  afterAll(() => {
    clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("encrypts a stack's data key under `context_environment=<stack>`: no other context decrypts it", async () => {
    const prefix = uniqueAwsPrefix("kms-context");
    const endpoint = encodeURIComponent(process.env.AWS_ENDPOINT_URL ?? "");
    const query = `region=us-east-1&endpoint=${endpoint}`;
    const stateUrl = `s3://${prefix}-state?${query}&s3ForcePathStyle=true`;
    const keyUrl = `awskms://alias/${prefix}?${query}`;
    await bootstrapAwsResources({ clients, resources: defineAwsResources(prefix), stateUrl, secretsProvider: keyUrl });

    const stackName = "shop-main";
    const stack = await LocalWorkspace.createOrSelectStack(
      { projectName: "acme-shop", stackName, program: async () => ({}) },
      {
        workDir: work,
        pulumiHome: path.join(work, "home"),
        pulumiCommand: await PulumiCommand.get({ root: requirePulumiCli(process.env).root }),
        envVars: { PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" },
        secretsProvider: `${keyUrl}&context_environment=${stackName}`,
        projectSettings: { name: "acme-shop", runtime: "nodejs", backend: { url: stateUrl } },
      },
    );
    await stack.setConfig("token", { value: "PLAINTEXT-4f1c", secret: true });
    const { encryptedKey } = await stack.workspace.stackSettings(stackName);
    const CiphertextBlob = Buffer.from(encryptedKey ?? "", "base64");
    const decrypt = (context?: Record<string, string>) =>
      clients.kms.send(new DecryptCommand({ CiphertextBlob, ...(context && { EncryptionContext: context }) }));

    expect((await decrypt({ environment: stackName })).Plaintext).toHaveLength(32);
    await expect(decrypt()).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    await expect(decrypt({ environment: "shop-main-2" })).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    expect((await stack.getConfig("token")).value).toBe("PLAINTEXT-4f1c");
  });
});
