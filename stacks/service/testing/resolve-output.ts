import type * as pulumi from "@pulumi/pulumi";

/**
 * An Output's value, to await before asserting. An Output that never becomes known (a preview's
 * unknown) never resolves, so the test times out instead of passing without checking anything.
 */
export function resolveOutput<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => {
    output.apply((value) => {
      resolve(value);
      return value;
    });
  });
}
