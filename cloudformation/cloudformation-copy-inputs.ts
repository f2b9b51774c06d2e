/** What the CloudFormationCopy resource is given (its inputs, kept in the environment's state). */
export interface CloudFormationCopyInputs {
  /** The real provider's module (cloudformation-copy-provider.ts), by absolute path: the platform's code. */
  providerModule: string;
  stackName: string;
  /** The packaged template: its body when it fits CloudFormation's limit, else its URL in the artifacts. */
  templateBody?: string;
  templateUrl?: string;
  /** The packaged template's hash: a changed template (or changed code, whose keys it names) is an update. */
  templateHash: string;
  /** Production's values with the overrides (a NoEcho one makes the whole map a secret). */
  parameters: Record<string, string>;
  capabilities: string[];
  /** stackfork's tags (`managed-by`, `environment`, `repository`): CloudFormation puts them on the stack and passes them on. */
  tags: Record<string, string>;
}

/** What it holds once created: the inputs, the stack's id, its outputs and where to see it. */
export interface CloudFormationCopyOutputs extends CloudFormationCopyInputs {
  stackId: string;
  outputs: Record<string, string>;
  consoleUrl: string;
}

/** Inputs whose change updates the stack through a change set (providerModule moves with the app). */
export const UPDATED_BY = [
  "templateBody",
  "templateUrl",
  "templateHash",
  "parameters",
  "capabilities",
  "tags",
] as const;
