import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The engine, SQLite and browsers are real: give them time, and keep to this machine's 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".stackfork/**"],
    // One AWS emulator (moto) for the run; every test file's AWS SDK points at it.
    globalSetup: ["test/support/aws-emulator-setup.ts"],
    setupFiles: ["test/support/aws-emulator-env.ts"],
  },
});
