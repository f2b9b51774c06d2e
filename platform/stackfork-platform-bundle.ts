import path from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { build } from "esbuild";
import { lambdaBundleOptions } from "./lambda-bundle-options.ts";

/** What a zip function's handler setting names: `index.mjs`, export `handler`. */
export const PLATFORM_BUNDLED_HANDLER = "index.handler";

/** The repository's root: bundle paths are relative to it, so any checkout gives the same archive. */
const REPOSITORY_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Bundles a platform entry point into `index.mjs` and its chunks, at program run time, with the options the
 * bundle benchmark measures (lambda-bundle-options.ts): what is deployed is what was measured.
 * Paths are relative to the repository, so an unchanged handler gives the same bytes and is not
 * redeployed.
 */
export async function bundlePlatformHandler(entry: string): Promise<pulumi.asset.AssetArchive> {
  const outdir = path.join(REPOSITORY_ROOT, ".bundle");
  const result = await build({
    ...lambdaBundleOptions,
    entryPoints: [path.resolve(entry)],
    absWorkingDir: REPOSITORY_ROOT,
    outdir,
    write: false,
  });
  if (!result.outputFiles.some((file) => path.relative(outdir, file.path) === "index.mjs")) {
    throw new Error(`esbuild produced no index.mjs for ${entry}.`);
  }
  // index.mjs and the chunks it may import, at the same relative paths.
  return new pulumi.asset.AssetArchive(
    Object.fromEntries(
      result.outputFiles.map((file) => [path.relative(outdir, file.path), new pulumi.asset.StringAsset(file.text)]),
    ),
  );
}
