import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { StackforkError } from "../core/errors.ts";
import { type ArtifactStore, templateUrlOf } from "./artifact-store.ts";
import { readTemplate, type Template } from "./read-template.ts";
import { zipDeterministically } from "./zip-deterministically.ts";

/** CloudFormation's limit on a TemplateBody; a bigger template goes by TemplateURL. */
export const TEMPLATE_BODY_LIMIT = 51_200;

/**
 * The properties `sam package` uploads (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-cli-command-reference-sam-package.html),
 * and how each is written back: a SAM URI, a Lambda `Code`/`Content` object, or a template URL.
 */
const PACKAGED: Readonly<Record<string, { property: string; as: "s3-uri" | "code" | "content" | "template" }>> = {
  "AWS::Serverless::Function": { property: "CodeUri", as: "s3-uri" },
  "AWS::Serverless::LayerVersion": { property: "ContentUri", as: "s3-uri" },
  "AWS::Lambda::Function": { property: "Code", as: "code" },
  "AWS::Lambda::LayerVersion": { property: "Content", as: "content" },
  "AWS::CloudFormation::Stack": { property: "TemplateURL", as: "template" },
  "AWS::Serverless::Application": { property: "Location", as: "template" },
};

export interface PackagedTemplate {
  template: Template;
  /** What was found, and whether it had to be uploaded (one line each in the log). */
  artifacts: { resource: string; path: string; key: string; uploaded: boolean }[];
}

/**
 * Packages a template as `sam package` does: each local code path (relative to the template's
 * folder, inside the repository) is zipped deterministically and stored under its content's hash,
 * a nested template is packaged the same way and stored as JSON, and the template is rewritten to
 * point at them. The template given is not changed.
 */
export async function packageTemplate(
  template: Template,
  { templateDir, root, store }: { templateDir: string; root: string; store: ArtifactStore },
): Promise<PackagedTemplate> {
  const artifacts: PackagedTemplate["artifacts"] = [];
  const packaged = structuredClone(template);
  for (const [resource, definition] of Object.entries(packaged.Resources ?? {})) {
    const rule = typeof definition?.Type === "string" ? PACKAGED[definition.Type] : undefined;
    const value = rule && definition.Properties?.[rule.property];
    if (!rule || typeof value !== "string" || isRemote(value)) continue;
    const local = localPathOf(value, templateDir, root, resource);
    let key: string;
    let uploaded: boolean;
    if (rule.as === "template") {
      const nested = readTemplate(readFileSync(local, "utf8"), path.relative(root, local));
      const inner = await packageTemplate(nested, { templateDir: path.dirname(local), root, store });
      artifacts.push(...inner.artifacts);
      ({ key, uploaded } = await store.put(Buffer.from(JSON.stringify(inner.template)), "template.json"));
    } else if (/\.(zip|jar)$/i.test(local)) {
      ({ key, uploaded } = await store.put(readFileSync(local), "zip"));
    } else {
      ({ key, uploaded } = await store.put(zipDeterministically(local, root), "zip"));
    }
    artifacts.push({ resource, path: path.relative(root, local), key, uploaded });
    (definition.Properties as Record<string, unknown>)[rule.property] = rewrite(rule.as, store, key);
  }
  return { template: packaged, artifacts };
}

function rewrite(as: "s3-uri" | "code" | "content" | "template", store: ArtifactStore, key: string): unknown {
  const { bucket } = store.location;
  if (as === "s3-uri") return `s3://${bucket}/${key}`;
  if (as === "code") return { S3Bucket: bucket, S3Key: key };
  if (as === "content") return { S3Bucket: bucket, S3Key: key };
  return templateUrlOf(store.location, key);
}

function isRemote(value: string): boolean {
  return /^(s3|https?):\/\//i.test(value);
}

function localPathOf(value: string, templateDir: string, root: string, resource: string): string {
  const local = path.resolve(templateDir, value);
  const relative = path.relative(root, local);
  if (relative.startsWith("..") || path.isAbsolute(relative))
    throw new StackforkError("TEMPLATE_INVALID", `${resource}: ${value} is outside the repository`);
  if (!existsSync(local))
    throw new StackforkError("TEMPLATE_INVALID", `${resource}: ${value} does not exist in the branch`);
  return local;
}

/**
 * How CloudFormation is given a packaged template: its body when it fits the 51,200-byte limit,
 * else a URL of its copy in the artifacts (content-addressed like the code).
 */
export async function placeTemplate(
  body: string,
  store: ArtifactStore,
): Promise<{ templateBody: string } | { templateUrl: string }> {
  if (Buffer.byteLength(body) <= TEMPLATE_BODY_LIMIT) return { templateBody: body };
  const { key } = await store.put(Buffer.from(body), "template.json");
  return { templateUrl: templateUrlOf(store.location, key) };
}
