import {
  GetResourcesCommand,
  type GetResourcesCommandOutput,
  type ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { translateAwsError } from "./translate-aws-error.ts";

/** A resource the Tagging API found, with its tags. */
export interface TaggedResource {
  arn: string;
  /** `<service>:<resource type>` from the ARN: `dynamodb:table`, `lambda:function`, `s3:bucket`... */
  type: string;
  tags: Record<string, string>;
}

/** A tag every resource must carry; without `values`, any value. */
export interface TagFilter {
  key: string;
  values?: string[];
}

/** GetResources answers at most 100 per page. */
const PER_PAGE = 100;

/**
 * Every resource of the client's region carrying all of `filters`, page after page. The Tagging API
 * only sees resources tagged at some point, and only in one region: a copy's resources live in the
 * platform's region. https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html
 */
export async function listTaggedResources(
  client: ResourceGroupsTaggingAPIClient,
  filters: readonly TagFilter[],
): Promise<TaggedResource[]> {
  const resources: TaggedResource[] = [];
  let token: string | undefined;
  do {
    let output: GetResourcesCommandOutput;
    try {
      output = await client.send(
        new GetResourcesCommand({
          TagFilters: filters.map((f) => ({ Key: f.key, ...(f.values && { Values: f.values }) })),
          ResourcesPerPage: PER_PAGE,
          ...(token && { PaginationToken: token }),
        }),
      );
    } catch (err) {
      throw translateAwsError(err, "GetResources (Resource Groups Tagging API)");
    }
    for (const mapping of output.ResourceTagMappingList ?? []) {
      if (!mapping.ResourceARN) continue;
      resources.push({
        arn: mapping.ResourceARN,
        type: resourceTypeOf(mapping.ResourceARN),
        tags: Object.fromEntries((mapping.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
      });
    }
    // An empty token ends the list (AWS answers "" rather than leaving it out).
    token = output.PaginationToken || undefined;
  } while (token);
  return resources;
}

/**
 * `arn:partition:service:region:account:resource`, where the resource is `type/id`, `type:id`, or
 * (S3 buckets, SQS queues) a bare name.
 */
function resourceTypeOf(arn: string): string {
  const parts = arn.split(":");
  const service = parts[2] ?? "unknown";
  const resource = parts.slice(5).join(":");
  const type = /[:/]/.test(resource) ? resource.split(/[:/]/).find((segment) => segment !== "") : undefined;
  if (type) return `${service}:${type}`;
  return service === "s3" ? "s3:bucket" : service === "sqs" ? "sqs:queue" : service;
}
