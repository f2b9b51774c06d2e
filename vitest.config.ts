import { defineConfig } from "vitest/config";

// The suites that talk to AWS: they run against one AWS emulator (moto's server) for the run. The
// others never start it, so a unit run is quick; their SDK points at a closed port, so an AWS call
// a test forgot to declare here fails at once instead of going out.
const needsAwsEmulator = [
  "aws/**/*.test.ts",
  "cloudformation/**/*.test.ts",
  "platform/**/*.test.ts",
  "stacks/service/aws/**/*.test.ts",
  "test/e2e/**/*.test.ts",
  "test/docker-compose.test.ts",
  "app/assemble-stackfork.test.ts",
  "cli/sandbox-up.test.ts",
  "cost/cloudwatch-usage-source.test.ts",
  "cost/cost-explorer-on-emulator.test.ts",
  "dashboard/register-upload-routes.test.ts",
  "provisioner/s3-backend.test.ts",
  "queue/aws-job-queue.test.ts",
  "reaper/find-cloud-orphans.test.ts",
  "reconciliation/dynamodb-reconciliation-store.test.ts",
  "registry/dynamodb-registry.test.ts",
  "uploads/fetch-bucket-upload.test.ts",
];
const exclude = ["node_modules/**", ".stackfork/**"];

export default defineConfig({
  test: {
    // The engine, SQLite and browsers are real: give them time, and keep to this machine's 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        extends: true,
        test: {
          name: "aws",
          include: needsAwsEmulator,
          exclude,
          globalSetup: ["test/support/aws-emulator-setup.ts"],
          setupFiles: ["test/support/aws-emulator-env.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "local",
          include: ["**/*.test.ts"],
          exclude: [...exclude, ...needsAwsEmulator],
          setupFiles: ["test/support/no-aws-env.ts"],
        },
      },
    ],
  },
});
