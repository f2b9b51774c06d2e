import type { CloudFormationConfig } from "../core/cloudformation-config.ts";
import type { SourcedValue } from "../core/resolve-copy-config.ts";
import type { ArtifactLocation } from "./artifact-store.ts";

/** What a runner needs to deploy a CloudFormation copy (part of its request, sent over IPC). */
export interface CloudFormationJob {
  /** The repository's block; its `parameters` are already among `parameters.overrides`. */
  config: Omit<CloudFormationConfig, "parameters">;
  /**
   * The copy's config above production's parameters, resolved by the platform in the usual order
   * (core/resolve-copy-config.ts), and the parameters never copied from production.
   */
  parameters: { overrides: Record<string, SourcedValue>; neverCopy: string[] };
  /** The tree the template is read from: the checkout, or the build's writable copy of it. */
  root: string;
  /** The environment's name: the copy's stack is named from it. */
  environment: string;
  repository: string;
  artifacts: ArtifactLocation;
}
