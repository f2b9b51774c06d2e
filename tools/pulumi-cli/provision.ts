// `npm install` runs this (postinstall): make sure a pulumi CLI of the pinned version exists,
// building it with Go when none is found. Never downloads from get.pulumi.com.
import { spawnSync } from "node:child_process";
import { isStackforkError } from "../../core/errors.ts";
import { buildPulumiCli } from "../../provisioner/build-pulumi-cli.ts";
import { locatePulumiCli, readPinnedPulumiVersion } from "../../provisioner/pulumi-cli.ts";

const env = process.env;
const version = readPinnedPulumiVersion();

try {
  const found = locatePulumiCli(env, version);
  if (found) {
    console.log(`stackfork: pulumi CLI v${version} found (${found.source}: ${found.command})`);
  } else if (spawnSync("go", ["version"], { stdio: "ignore" }).status !== 0) {
    console.error(
      `stackfork: no pulumi CLI v${version} found and Go is not installed to build one.\n` +
        `Install the CLI with the official installer: curl -fsSL https://get.pulumi.com | sh -s -- --version ${version}\n` +
        "or set PULUMI_CLI to its path, then run `npm install` again.",
    );
    process.exit(1);
  } else {
    console.log(`stackfork: building pulumi CLI v${version} with Go (first install only; a few minutes)`);
    const interactive = process.stdout.isTTY;
    let lastPrinted = 0;
    const command = await buildPulumiCli({
      version,
      env,
      onProgress: ({ packages, elapsedMs, phase }) => {
        const line = `  ${phase === "download" ? "downloading modules" : `${packages} packages compiled`}, ${Math.round(elapsedMs / 1000)}s`;
        if (interactive) process.stdout.write(`\r${line}   `);
        else if (elapsedMs - lastPrinted >= 15_000) {
          lastPrinted = elapsedMs;
          console.log(line);
        }
      },
    });
    if (interactive) process.stdout.write("\n");
    console.log(`stackfork: pulumi CLI v${version} built: ${command}`);
  }
} catch (err) {
  console.error(`stackfork: ${isStackforkError(err) ? `${err.code}: ${err.message}` : String(err)}`);
  process.exit(1);
}
