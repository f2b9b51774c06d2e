import type { CloudFormationConfig } from "../core/cloudformation-config.ts";
import type { ArtifactLocation } from "./artifact-store.ts";

/** What a runner needs to deploy a CloudFormation copy (part of its request, sent over IPC). */
export interface CloudFormationJob {
  config: CloudFormationConfig;
  /** The tree the template is read from: the checkout, or the build's writable copy of it. */
  root: string;
  /** The environment's name: the copy's stack is named from it. */
  environment: string;
  repository: string;
  artifacts: ArtifactLocation;
}
