// `npm install` runs this (postinstall), after the pulumi CLI: the AWS emulator the tests use
// (moto's server) in a virtualenv cached outside the repo. Needs Python 3; says how when it is missing.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { locateAwsEmulator, MOTO_REQUIREMENT, resolveAwsEmulatorDir } from "./locate-aws-emulator.ts";

const env = process.env;
const dir = resolveAwsEmulatorDir(env);

// A production install (`npm ci --omit=dev`, the Dockerfile) runs no tests: no emulator needed.
if ((env.npm_config_omit ?? "").split(/[\s,]+/).includes("dev") || env.NODE_ENV === "production") {
  console.log("stackfork: production install: the AWS emulator of the tests is not provisioned");
  process.exit(0);
}

const found = locateAwsEmulator(env);
if (found) {
  console.log(`stackfork: AWS emulator ${MOTO_REQUIREMENT} found (cache: ${dir})`);
  process.exit(0);
}

const python = ["python3", "python"].find((cmd) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0);
if (!python) {
  fail(
    `the tests' AWS emulator (${MOTO_REQUIREMENT}) needs Python 3.9+ and none was found.\n` +
      "Install it (Debian/Ubuntu: `apt-get install -y python3 python3-venv`), then run `npm install` again.",
  );
}

console.log(
  `stackfork: installing the AWS emulator ${MOTO_REQUIREMENT} into ${dir} (first install only; about a minute)`,
);
mkdirSync(path.dirname(dir), { recursive: true });
const partial = `${dir}.partial-${process.pid}`;
rmSync(partial, { recursive: true, force: true });
const venv = spawnSync(python, ["-m", "venv", partial], { stdio: ["ignore", "inherit", "inherit"] });
if (venv.status !== 0) {
  rmSync(partial, { recursive: true, force: true });
  fail(
    `\`${python} -m venv\` failed: the venv module is missing.\n` +
      "Install it (Debian/Ubuntu: `apt-get install -y python3-venv`), then run `npm install` again.",
  );
}
// pip's own lines ("Collecting ...", "Installing collected packages ...") are the progress line.
const started = Date.now();
const pip = spawn(
  path.join(partial, "bin", "python"),
  ["-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", MOTO_REQUIREMENT],
  { stdio: ["ignore", "pipe", "inherit"] },
);
pip.stdout.on("data", (chunk: Buffer) => {
  for (const line of chunk.toString().split("\n")) {
    if (/^(Collecting|Installing|Successfully)/.test(line))
      console.log(`  ${line.trim()} (${Math.round((Date.now() - started) / 1000)}s)`);
  }
});
const status = await new Promise<number | null>((resolve) => pip.on("close", resolve));
if (status !== 0) {
  rmSync(partial, { recursive: true, force: true });
  fail(
    `pip could not install ${MOTO_REQUIREMENT} (exit ${status}): see its output above, then run \`npm install\` again.`,
  );
}
rmSync(dir, { recursive: true, force: true });
renameSync(partial, dir);
if (!locateAwsEmulator(env)) fail(`${MOTO_REQUIREMENT} was installed into ${dir} but does not import.`);
console.log(`stackfork: AWS emulator ready (${Math.round((Date.now() - started) / 1000)}s): ${dir}`);

function fail(message: string): never {
  console.error(`stackfork: ${message}`);
  process.exit(1);
}
