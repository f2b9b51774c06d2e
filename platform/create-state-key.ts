import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Encrypts the state bucket's objects and, as the awskms:// secrets provider, the stacks' secrets. */
export function createStateKey(parent: pulumi.ComponentResource, deps: { name: string; prefix: string }) {
  const { name, prefix } = deps;
  const key = new aws.kms.Key(
    `${name}-key`,
    {
      description: `stackfork (${prefix}): Pulumi state and secrets of the environments' stacks`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    },
    { parent },
  );
  const alias = new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${prefix}`, targetKeyId: key.keyId }, { parent });
  return { key, alias };
}
