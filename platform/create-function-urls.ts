import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FunctionName } from "./platform-function-name.ts";

/**
 * Public Function URLs: GitHub signs the webhook's requests and the dashboard checks its own
 * token. A public URL needs both permissions since October 2025
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
 */
export function createFunctionUrls(
  parent: pulumi.ComponentResource,
  deps: { name: string; functions: Record<FunctionName, aws.lambda.Function> },
): { webhook: pulumi.Output<string>; dashboard: pulumi.Output<string> } {
  const { name, functions } = deps;
  const url = (fn: "webhook" | "dashboard") => {
    const functionUrl = new aws.lambda.FunctionUrl(
      `${name}-${fn}`,
      { functionName: functions[fn].name, authorizationType: "NONE", invokeMode: "BUFFERED" },
      { parent },
    );
    const invokeUrl = new aws.lambda.Permission(
      `${name}-${fn}-invoke-url`,
      {
        function: functions[fn].name,
        action: "lambda:InvokeFunctionUrl",
        principal: "*",
        functionUrlAuthType: "NONE",
      },
      { parent },
    );
    const invoke = new aws.lambda.Permission(
      `${name}-${fn}-invoke`,
      {
        function: functions[fn].name,
        action: "lambda:InvokeFunction",
        principal: "*",
        invokedViaFunctionUrl: true,
      },
      { parent },
    );
    return pulumi
      .all([functionUrl.functionUrl, invokeUrl.id, invoke.id])
      .apply(([address]) => address.replace(/\/+$/, ""));
  };
  return { webhook: url("webhook"), dashboard: url("dashboard") };
}
