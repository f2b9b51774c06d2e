import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { build } from "esbuild";

/** What the Lambda handler setting names: `index.js`, export `lambdaHandler`. */
export const BUNDLED_HANDLER = "index.lambdaHandler";

/**
 * Bundles the handler entry with its dependencies (AWS SDK included: the runtime's own copy may be
 * another version) into one CommonJS file, at program run time. Paths in the output are relative
 * to the service folder, so the same code gives the same archive from any checkout and an unchanged
 * handler is not redeployed.
 */
export async function bundleHandler(
  entry: string,
  serviceDir = path.dirname(path.dirname(entry)),
): Promise<pulumi.asset.AssetArchive> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: serviceDir,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced nothing for ${entry}.`);
  return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(output.text) });
}
