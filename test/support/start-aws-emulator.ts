import { type ChildProcess, spawn } from "node:child_process";
import { findFreePort } from "../../stacks/service/local/find-free-port.ts";
import { locateAwsEmulator, MOTO_REQUIREMENT } from "../../tools/aws-emulator/locate-aws-emulator.ts";

/**
 * moto's server on a free loopback port (the tests' and the benches' AWS), as `npm install`
 * provisioned it. Without it: an error naming the command that fixes it.
 */
export async function startAwsEmulator(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const emulator = locateAwsEmulator(process.env);
  if (!emulator) throw new Error(`The AWS emulator (${MOTO_REQUIREMENT}) is not installed: run \`npm install\`.`);
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
  return {
    endpoint,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
    },
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
