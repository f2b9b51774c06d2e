// vitest global setup: one AWS emulator (moto's server) for the whole run, on a free loopback port.
// `npm install` provisioned it; a run without it fails here with the command that fixes it.
import { type ChildProcess, spawn } from "node:child_process";
import type { TestProject } from "vitest/node";
import { findFreePort } from "../../stacks/service/local/find-free-port.ts";
import { locateAwsEmulator, MOTO_REQUIREMENT } from "../../tools/aws-emulator/locate-aws-emulator.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the emulator. */
    awsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = locateAwsEmulator(process.env);
  if (!emulator) {
    throw new Error(`The tests' AWS emulator (${MOTO_REQUIREMENT}) is not installed: run \`npm install\`.`);
  }
  const port = await findFreePort();
  const child = spawn(emulator.command, [...emulator.args, "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(endpoint, child, () => stderr);
  project.provide("awsEndpoint", endpoint);
  return async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
  };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The AWS emulator exited (${child.exitCode}):\n${stderr()}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`The AWS emulator did not answer on ${endpoint} within 60 s:\n${stderr()}`);
}
