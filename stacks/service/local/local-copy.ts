import * as pulumi from "@pulumi/pulumi";
import type { LocalCopyInputs, LocalCopyOutputs } from "./local-copy-inputs.ts";

type Provider = typeof import("./local-copy-provider.ts");

// Pulumi serializes these functions into the state and runs them in the dynamic-provider plugin
// process, so they capture nothing from this module: each loads the real provider from the checkout
// that is deploying, whose absolute path is an input (the plugin loads TypeScript through tsx).
// `import()` is spelled inside a `new Function` because module loaders rewrite a literal one into
// a call of their own (vitest: `__vi_ssr_dynamic_import__`), which Pulumi would then try to serialize.
const forwardingProvider: pulumi.dynamic.ResourceProvider = {
  async diff(id: string, olds: LocalCopyOutputs, news: LocalCopyInputs) {
    // A refresh diffs the state against its own inputs, which name the checkout that last deployed
    // the copy; the job's sandbox may not show that tree (a lock recovery runs in the new commit's).
    // Nothing to compare with then: the update that follows diffs against the new checkout.
    const { existsSync } = await new Function("m", "return import(m)")("node:fs");
    if (!existsSync(news.providerModule)) return {};
    const { localCopyProvider }: Provider = await new Function("m", "return import(m)")(news.providerModule);
    return localCopyProvider.diff(id, olds, news);
  },
  async create(inputs: LocalCopyInputs) {
    const { localCopyProvider }: Provider = await new Function("m", "return import(m)")(inputs.providerModule);
    return localCopyProvider.create(inputs);
  },
  async update(id: string, olds: LocalCopyOutputs, news: LocalCopyInputs) {
    const { localCopyProvider }: Provider = await new Function("m", "return import(m)")(news.providerModule);
    return localCopyProvider.update(id, olds, news);
  },
  async delete(id: string, olds: LocalCopyOutputs) {
    const { existsSync, readFileSync } = await new Function("m", "return import(m)")("node:fs");
    if (existsSync(olds.providerModule)) {
      const { localCopyProvider }: Provider = await new Function("m", "return import(m)")(olds.providerModule);
      return localCopyProvider.delete(id, olds);
    }
    // `destroy` runs no program, so only the checkout that last deployed the copy can load the
    // provider. When that checkout is gone, still stop the process (SIGTERM, if its command line
    // names this data dir) rather than leave it behind; its data dir stays.
    try {
      if (readFileSync(`/proc/${olds.pid}/cmdline`, "utf8").split("\0").includes(olds.dataDir)) {
        process.kill(olds.pid, "SIGTERM");
      }
    } catch {
      // already gone, or no /proc
    }
  },
};

export interface LocalCopyArgs {
  providerModule: pulumi.Input<string>;
  serveEntry: pulumi.Input<string>;
  codeHash: pulumi.Input<string>;
  dataDir: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  environment: pulumi.Input<string>;
  repository: pulumi.Input<string>;
  branch: pulumi.Input<string>;
  commit: pulumi.Input<string>;
  owner?: pulumi.Input<string>;
}

/**
 * One copy of the service on this machine: a long-lived process serving the handler on a loopback
 * port, with dynalite under `dataDir`. The port is kept in the state, so the URL survives updates.
 */
export class LocalCopy extends pulumi.dynamic.Resource {
  declare readonly url: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly pid: pulumi.Output<number>;

  constructor(name: string, args: LocalCopyArgs, opts?: pulumi.CustomResourceOptions) {
    super(forwardingProvider, name, { ...args, url: undefined, port: undefined, pid: undefined }, opts);
  }
}
