import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildServer } from "../../app/build-server.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";
import { createEnvironmentActions } from "../../dashboard/create-environment-actions.ts";
import { createSqliteJobQueue } from "../../queue/sqlite-job-queue.ts";
import { createSqliteRegistry } from "../../registry/sqlite-registry.ts";
import { createS3UploadBucket } from "../../uploads/create-s3-upload-bucket.ts";
import { createAwsStackforkEnv } from "./aws-stackfork-env.ts";
import { DASHBOARD_TOKEN } from "./dashboard-harness.ts";

export interface UploadBucketServerOptions {
  /** Largest upload, compressed. @default 256 KiB */
  maxBytes?: number;
}

/**
 * The real app (`buildServer`) of a server whose uploads live in S3, as the dashboard Lambda's:
 * the upload bucket is the state bucket of a fresh stackfork on the run's emulator; the registry
 * and the queue are SQLite in a temp dir (tests read what was queued), with no worker.
 */
export async function createUploadBucketServer(label: string, options: UploadBucketServerOptions = {}) {
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const aws = await createAwsStackforkEnv(label);
  const dir = mkdtempSync(path.join(tmpdir(), "stackfork-upload-bucket-"));
  const registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  const queue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
  const repositories: RepositoryConfig[] = [
    { name: "acme/api", stackPath: "stacks/service", defaultBranch: "main", target: "local", ttlHours: 72 },
  ];
  const now = () => new Date("2026-11-27T12:00:00Z");
  const uploadBucket = createS3UploadBucket({ s3: aws.clients.s3, bucket: aws.bucket, maxBytes });
  const actions = createEnvironmentActions({
    registry,
    queue,
    nameMaxLength: 40,
    repositories,
    uploads: { dir: path.join(dir, "uploads"), maxBytes: maxBytes * 10, maxEntries: 10_000 },
    uploadBucket,
    now,
  });
  const app = await buildServer({
    registry,
    logger: false,
    isReady: () => true,
    intake: {
      registry,
      queue,
      nameMaxLength: 40,
      webhookSecrets: ["upload-bucket-test-webhook-secret"],
      findRepository: (name) => repositories.find((r) => r.name === name),
      now,
    },
    dashboard: { apiToken: DASHBOARD_TOKEN, readsOpen: true, actions, repositories, uploadMaxBytes: maxBytes, now },
  });
  return {
    aws,
    dir,
    app,
    registry,
    queue,
    uploadBucket,
    maxBytes,
    bearer: { authorization: `Bearer ${DASHBOARD_TOKEN}` },
    async close() {
      await app.close();
      await queue.close();
      await registry.close();
      aws.clients.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type UploadBucketServer = Awaited<ReturnType<typeof createUploadBucketServer>>;
