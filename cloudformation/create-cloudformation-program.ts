import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { S3Client } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { StackforkError } from "../core/errors.ts";
import { createArtifactStore } from "./artifact-store.ts";
import { CloudFormationCopy } from "./cloudformation-copy.ts";
import type { CloudFormationJob } from "./cloudformation-job.ts";
import { copyStackNameOf } from "./copy-stack-name.ts";
import { describeFixedNames, findFixedNames } from "./find-fixed-names.ts";
import { packageTemplate, placeTemplate, TEMPLATE_BODY_LIMIT } from "./package-template.ts";
import { readTemplate } from "./read-template.ts";
import { describeParameterSource, resolveParameters } from "./resolve-parameters.ts";

const providerModule = path.join(import.meta.dirname, "cloudformation-copy-provider.ts");

/**
 * The platform's own inline program for a CloudFormation copy, prepared in the job's runner (the
 * sandbox, the job's credentials) before the engine starts: reads the branch's template, refuses
 * fixed names and missing NoEcho values before anything is created (their errors keep their codes),
 * takes production's parameters under the copy's overrides, packages local code to the artifacts.
 * The program then declares the one CloudFormationCopy resource and exports `url` (the
 * `urlOutput`), `stackName`, `consoleUrl` and the stack's own outputs (`stackOutputs`); `config` is
 * the effective parameters with their sources, secrets masked.
 */
export async function prepareCloudFormationProgram(job: CloudFormationJob, log: (line: string) => void) {
  const { config } = job;
  const file = config.build?.template ?? config.template;
  const templatePath = path.join(job.root, file);
  let text: string;
  try {
    text = readFileSync(templatePath, "utf8");
  } catch (err) {
    throw new StackforkError(
      "TEMPLATE_INVALID",
      `${file} is not in the branch${config.build ? " after its build" : ""}`,
      { cause: err },
    );
  }
  const template = readTemplate(text, file);
  const fixed = findFixedNames(template);
  if (fixed.length > 0 && !config.allowFixedNames) throw new StackforkError("FIXED_NAMES", describeFixedNames(fixed));
  if (fixed.length > 0) log(`allowFixedNames: ${fixed.map((f) => f.resource).join(", ")} keep their fixed names`);

  const production = config.productionStack ? await readProductionParameters(config.productionStack) : undefined;
  const parameters = resolveParameters(template, production, job.parameters.overrides, job.parameters.neverCopy);
  for (const { key, source, secret } of parameters.entries)
    log(
      `parameter ${key}: from ${describeParameterSource(source, config.productionStack)}${secret ? " (secret: kept masked)" : ""}`,
    );

  const s3 = new S3Client({
    forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3) || undefined,
  });
  const store = createArtifactStore(s3, job.artifacts);
  const packaged = await packageTemplate(template, {
    templateDir: path.dirname(templatePath),
    root: job.root,
    store,
  });
  for (const artifact of packaged.artifacts)
    log(
      `packaged ${artifact.resource} (${artifact.path}) -> s3://${job.artifacts.bucket}/${artifact.key}${artifact.uploaded ? "" : " (unchanged, not uploaded)"}`,
    );

  const body = JSON.stringify(packaged.template);
  const templateHash = createHash("sha256").update(body).digest("hex");
  const placed = await placeTemplate(body, store);
  if ("templateUrl" in placed)
    log(
      `template is ${Buffer.byteLength(body)} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}: deployed by TemplateURL`,
    );
  const capabilities = [
    ...new Set([...(config.capabilities ?? []), ...(template.Transform ? ["CAPABILITY_AUTO_EXPAND"] : [])]),
  ].sort();
  const program = async () => {
    const copy = new CloudFormationCopy("copy", {
      providerModule,
      stackName: copyStackNameOf(job.environment),
      ...placed,
      templateHash,
      parameters: parameters.secretKeys.length > 0 ? pulumi.secret(parameters.values) : parameters.values,
      capabilities,
      tags: { "managed-by": "stackfork", environment: job.environment, repository: job.repository },
    });
    return {
      url: config.urlOutput ? copy.outputs.apply((outputs) => outputs[config.urlOutput as string]) : undefined,
      stackName: copyStackNameOf(job.environment),
      consoleUrl: copy.consoleUrl,
      // The stack's own outputs (a table's name...), for the seed step's `STACKFORK_OUTPUT_<KEY>` and `tableOutput`.
      stackOutputs: copy.outputs,
    };
  };
  return { program, config: parameters.entries };
}

async function readProductionParameters(stackName: string): Promise<Record<string, string>> {
  const client = new CloudFormationClient({});
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((Stacks[0]?.Parameters ?? []).map((p) => [p.ParameterKey ?? "", p.ParameterValue ?? ""]));
  } catch (err) {
    throw new StackforkError(
      "CLOUDFORMATION_FAILED",
      `the production stack ${stackName} could not be read: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    client.destroy();
  }
}
