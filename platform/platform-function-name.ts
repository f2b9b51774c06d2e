import { platformPhysicalName } from "./platform-physical-name.ts";

/** The functions bundled as zips (DESIGN.md, "External contract"). */
export type ZipFunction = "webhook" | "dashboard" | "reaper";
/** Every function of the platform: the zips and the worker, which runs from an image. */
export type FunctionName = ZipFunction | "worker";

/** Also in the name of its log group, which is created before the function (create-function-log-groups.ts). */
export function platformFunctionName(prefix: string, fn: FunctionName): string {
  return platformPhysicalName(prefix, fn); // Lambda function names: 64
}
