/**
 * The AWS console's page of a stack, from its ARN (`arn:aws:cloudformation:<region>:...`); the
 * region defaults to us-east-1 when the id is not an ARN.
 */
export function consoleUrlOf(stackId: string): string {
  const region = stackId.startsWith("arn:") ? stackId.split(":")[3] || "us-east-1" : "us-east-1";
  return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks/stackinfo?stackId=${encodeURIComponent(stackId)}`;
}
