import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import { createAwsStackforkEnv } from "../test/support/aws-stackfork-env.ts";
import { assembleStackfork } from "./assemble-stackfork.ts";

const configJson = JSON.stringify({ repositories: [{ name: "acme/api" }] });

// Where uploads go follows from the configuration alone: S3 on the AWS store with an s3:// state.
describe("assembleStackfork: where working-tree uploads go", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "stackfork-assemble-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const assemble = (env: Record<string, string>) =>
    assembleStackfork({
      config: loadConfig({
        env: { STACKFORK_DATA_DIR: dataDir, STACKFORK_CONFIG_JSON: configJson, ...env },
        cwd: dataDir,
        readFile: () => undefined,
      }),
      log: pino({ level: "silent" }),
      secrets: {},
    });

  it("to the state bucket on the AWS store, presigned", async () => {
    const aws = await createAwsStackforkEnv("assemble-uploads");
    const parts = await assemble(aws.env);
    try {
      const actions = parts.createActions();
      expect(actions.uploadsTo).toBe("bucket");
      const ticket = await actions.presignUpload({
        repository: "acme/api",
        owner: "octocat",
        sha256: "ab".repeat(32),
        bytes: 100,
      });
      expect(ticket.uploadId).toBe("upload-abababababababab");
      expect(new URL(ticket.url).pathname).toBe(`/${aws.bucket}/uploads/upload-abababababababab.tar.gz`);
    } finally {
      await parts.stores.close();
      aws.clients.destroy();
    }
  });

  it("to the server's own data dir otherwise", async () => {
    const parts = await assemble({});
    try {
      expect(parts.createActions().uploadsTo).toBe("server");
    } finally {
      await parts.stores.close();
    }
  });
});
