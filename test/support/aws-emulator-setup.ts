// vitest global setup: one AWS emulator (moto's server) for the whole run, on a free loopback port.
// `npm install` provisioned it; a run without it fails here with the command that fixes it.
import type { TestProject } from "vitest/node";
import { startAwsEmulator } from "./start-aws-emulator.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the emulator. */
    awsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startAwsEmulator();
  project.provide("awsEndpoint", emulator.endpoint);
  return () => emulator.stop();
}
