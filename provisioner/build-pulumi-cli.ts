import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { StackforkError } from "../core/errors.ts";
import { resolveNodejsDynamicProviderPlugin, resolvePulumiCacheRoot } from "./pulumi-cli.ts";

const toolsModule = path.resolve(import.meta.dirname, "../tools/pulumi-cli");
const cliPackage = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";

export interface BuildProgress {
  /** Go packages compiled so far (`go build -v` prints one line per package). */
  packages: number;
  elapsedMs: number;
  /** What `go` is doing now: downloading modules or compiling. */
  phase: "download" | "compile";
}

export interface BuildPulumiCliOptions {
  version: string;
  env: NodeJS.ProcessEnv;
  onProgress?: (progress: BuildProgress) => void;
}

/**
 * Builds the pulumi CLI from the Go module proxy with the tools module in `tools/pulumi-cli`, with
 * Pulumi's release flags, into the version-keyed cache, and puts the Node.js dynamic-provider plugin
 * beside it. `go install pkg@version` refuses pkg/v3's replace directives; a tools module does not.
 * The version flag is required: the Automation API parses `pulumi version` and refuses an empty one.
 */
export async function buildPulumiCli({ version, env, onProgress }: BuildPulumiCliOptions): Promise<string> {
  assertToolsModuleVersion(version);
  const root = resolvePulumiCacheRoot(env, version);
  mkdirSync(path.dirname(root), { recursive: true });
  // Build into a scratch directory and rename at the end: a crash never leaves a half-written CLI.
  const scratch = mkdtempSync(`${root}.building-`);
  try {
    const binary = path.join(scratch, "bin", "pulumi");
    await runGoBuild(binary, version, env, onProgress);
    const plugin = path.join(scratch, "bin", "pulumi-resource-pulumi-nodejs");
    copyFileSync(resolveNodejsDynamicProviderPlugin(), plugin);
    chmodSync(plugin, 0o755);
    rmSync(root, { recursive: true, force: true });
    renameSync(scratch, root);
    return path.join(root, "bin", "pulumi");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The tools module and package.json must pin the same version, or the CLI and SDK drift apart. */
export function assertToolsModuleVersion(version: string): void {
  const goMod = readFileSync(path.join(toolsModule, "go.mod"), "utf8");
  for (const mod of ["pkg", "sdk"]) {
    const match = goMod.match(new RegExp(`github\\.com/pulumi/pulumi/${mod}/v3 (v\\S+)`));
    if (match?.[1] !== `v${version}`) {
      throw new StackforkError(
        "PULUMI_CLI_VERSION_MISMATCH",
        `tools/pulumi-cli/go.mod requires ${mod}/v3 ${match?.[1] ?? "(none)"}, @pulumi/pulumi is ${version}.`,
      );
    }
  }
}

function runGoBuild(
  output: string,
  version: string,
  env: NodeJS.ProcessEnv,
  onProgress?: (progress: BuildProgress) => void,
): Promise<void> {
  const args = [
    "build",
    "-v",
    "-trimpath",
    "-tags",
    "osusergo,grpcnotrace",
    "-ldflags",
    `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${version}`,
    "-o",
    output,
    cliPackage,
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, {
      cwd: toolsModule,
      env: { ...env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly -buildvcs=false" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let packages = 0;
    let tail = "";
    const tick = setInterval(
      () => onProgress?.({ packages, elapsedMs: Date.now() - started, phase: packages ? "compile" : "download" }),
      1000,
    );
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = chunk.split("\n").filter(Boolean);
      packages += lines.filter((line) => !line.startsWith("go: ")).length;
      tail = (tail + chunk).slice(-4000);
    });
    child.on("error", (err) => {
      clearInterval(tick);
      reject(new StackforkError("PULUMI_CLI_BUILD_FAILED", `could not run go: ${err.message}`, { cause: err }));
    });
    child.on("close", (code) => {
      clearInterval(tick);
      if (code === 0) resolve();
      else reject(new StackforkError("PULUMI_CLI_BUILD_FAILED", `go build exited with ${code}:\n${tail}`));
    });
  });
}
