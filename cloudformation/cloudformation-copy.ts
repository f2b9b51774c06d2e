import * as pulumi from "@pulumi/pulumi";
import type { CloudFormationCopyInputs, CloudFormationCopyOutputs } from "./cloudformation-copy-inputs.ts";

type Provider = typeof import("./cloudformation-copy-provider.ts");

// Pulumi serializes these functions into the state and runs them in the dynamic-provider plugin, so
// they capture nothing: each loads the real provider from the platform's own code by the absolute
// path in its inputs (the plugin loads TypeScript through tsx). `import()` is spelled inside a
// `new Function` so that no module loader rewrites it into a call Pulumi would try to serialize
// (see stacks/service/local/local-copy.ts, which does the same).
const forwardingProvider: pulumi.dynamic.ResourceProvider = {
  async diff(id: string, olds: CloudFormationCopyOutputs, news: CloudFormationCopyInputs) {
    const { cloudFormationCopyProvider }: Provider = await new Function("m", "return import(m)")(news.providerModule);
    return cloudFormationCopyProvider.diff(id, olds, news);
  },
  async create(inputs: CloudFormationCopyInputs) {
    const { cloudFormationCopyProvider }: Provider = await new Function("m", "return import(m)")(inputs.providerModule);
    return cloudFormationCopyProvider.create(inputs);
  },
  async update(id: string, olds: CloudFormationCopyOutputs, news: CloudFormationCopyInputs) {
    const { cloudFormationCopyProvider }: Provider = await new Function("m", "return import(m)")(news.providerModule);
    return cloudFormationCopyProvider.update(id, olds, news);
  },
  async delete(id: string, olds: CloudFormationCopyOutputs) {
    const { cloudFormationCopyProvider }: Provider = await new Function("m", "return import(m)")(olds.providerModule);
    return cloudFormationCopyProvider.delete(id, olds);
  },
};

export type CloudFormationCopyArgs = {
  [K in keyof CloudFormationCopyInputs]: pulumi.Input<CloudFormationCopyInputs[K]>;
};

/** One environment's CloudFormation stack, as a resource of the environment's Pulumi stack. */
export class CloudFormationCopy extends pulumi.dynamic.Resource {
  declare readonly stackId: pulumi.Output<string>;
  declare readonly outputs: pulumi.Output<Record<string, string>>;
  declare readonly consoleUrl: pulumi.Output<string>;

  constructor(name: string, args: CloudFormationCopyArgs, opts?: pulumi.CustomResourceOptions) {
    super(forwardingProvider, name, { ...args, stackId: undefined, outputs: undefined, consoleUrl: undefined }, opts);
  }
}
