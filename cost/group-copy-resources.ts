import type { TaggedResource } from "../aws/list-tagged-resources.ts";
import type { Environment } from "../core/environment.ts";

/** What a copy's stack owns that CloudWatch and the describe calls measure, by the names they take. */
export interface CopyResources {
  functions: string[];
  /** HTTP API ids (CloudWatch's `ApiId` dimension). */
  apis: string[];
  tables: string[];
  logGroups: string[];
}

/** `https://<api id>.execute-api.<region>.amazonaws.com`: a copy's URL names its HTTP API. */
const EXECUTE_API = /^https:\/\/([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\/|$)/;

/**
 * Each environment's resources, from what the Tagging API found carrying its `environment` tag
 * (every resource of a copy carries it: stacks/service/aws/build-tags.ts; a CloudFormation copy's
 * stack tags reach its resources the same way) and from its URL (the Tagging API does not list
 * every API Gateway API). A function's log group is Lambda's `/aws/lambda/<name>` unless tagged
 * otherwise. Keyed by environment id.
 */
export function groupCopyResources(
  environments: readonly Environment[],
  tagged: readonly TaggedResource[],
): Map<string, CopyResources> {
  const byName = new Map<string, CopyResources>();
  for (const environment of environments) {
    const resources: CopyResources = { functions: [], apis: [], tables: [], logGroups: [] };
    const api = environment.url ? EXECUTE_API.exec(environment.url)?.[1] : undefined;
    if (api) resources.apis.push(api);
    byName.set(environment.name, resources);
  }
  for (const resource of tagged) {
    const resources = byName.get(resource.tags.environment ?? "");
    if (!resources) continue;
    const name = nameInArn(resource);
    if (!name) continue;
    const list =
      resource.type === "lambda:function"
        ? resources.functions
        : resource.type === "dynamodb:table"
          ? resources.tables
          : resource.type === "logs:log-group"
            ? resources.logGroups
            : resource.type === "apigateway:apis"
              ? resources.apis
              : undefined;
    if (list && !list.includes(name)) list.push(name);
  }
  const byId = new Map<string, CopyResources>();
  for (const environment of environments) {
    const resources = byName.get(environment.name) as CopyResources;
    for (const fn of resources.functions) {
      const group = `/aws/lambda/${fn}`;
      if (!resources.logGroups.includes(group)) resources.logGroups.push(group);
    }
    byId.set(environment.id, resources);
  }
  return byId;
}

/**
 * `arn:aws:lambda:r:a:function:<name>`, `arn:aws:dynamodb:r:a:table/<name>`,
 * `arn:aws:logs:r:a:log-group:<name>[:*]`, `arn:aws:apigateway:r::/apis/<id>`.
 */
function nameInArn(resource: TaggedResource): string | undefined {
  const resourcePart = resource.arn.split(":").slice(5).join(":");
  switch (resource.type) {
    case "lambda:function":
      return resourcePart.split(":")[1];
    case "dynamodb:table":
      return resourcePart.split("/")[1];
    case "logs:log-group":
      return resourcePart.replace(/^log-group:/, "").replace(/:\*$/, "");
    case "apigateway:apis":
      return resourcePart.split("/")[2];
    default:
      return undefined;
  }
}
