import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Where the platform is deployed: ARNs, conditions and the state URL are written with these. */
export interface PlatformLocation {
  partition: pulumi.Output<string>;
  region: pulumi.Output<string>;
  account: pulumi.Output<string>;
}

export function locatePlatform(parent: pulumi.ComponentResource): PlatformLocation {
  return {
    partition: aws.getPartitionOutput({}, { parent }).partition,
    region: aws.getRegionOutput({}, { parent }).region,
    account: aws.getCallerIdentityOutput({}, { parent }).accountId,
  };
}
