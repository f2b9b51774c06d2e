import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand, HeadBucketCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import type { AwsResources, QueueDefinition, TableDefinition } from "./aws-resources.ts";
import type { AwsClients } from "./create-aws-clients.ts";
import type { DeployerAccess } from "./deployer-access.ts";
import { ensureDeployerAccess } from "./ensure-deployer-access.ts";
import { ensurePulumiStateLayout } from "./ensure-pulumi-state-layout.ts";
import { parseKmsSecretsUrl, parseS3StateUrl } from "./parse-pulumi-urls.ts";
import { translateAwsError } from "./translate-aws-error.ts";

export interface BootstrapReport {
  created: string[];
  existing: string[];
  /** The deployer role and the copies' boundary, as created (their ARNs and documents). */
  deployer: DeployerAccess;
}

export interface BootstrapOptions {
  clients: AwsClients;
  resources: AwsResources;
  /** `STACKFORK_STATE_URL`: an `s3://` URL gets its bucket. */
  stateUrl?: string;
  /** `STACKFORK_SECRETS_PROVIDER`: an `awskms://alias/...` gets a key and that alias. */
  secretsProvider?: string;
  /**
   * STACKFORK_AWS_PREFIX: names the deployer role (`<prefix>-deployer`) and the copies' boundary
   * (`<prefix>-copy-boundary`). @default the tables' prefix (`<prefix>-registry`)
   */
  prefix?: string;
  /** One line per resource, as it is looked at. */
  onProgress?: (line: string) => void;
}

/**
 * Creates what is missing, leaves what exists: running it twice changes nothing. For an emulator
 * or a first hand-made setup; on AWS the platform program owns the same resources (aws-resources.ts,
 * deployer-access.ts). Besides the stores: the deployer role the worker assumes per job and the
 * copies' permissions boundary, whose documents it keeps at their definition.
 */
export async function bootstrapAwsResources(options: BootstrapOptions): Promise<BootstrapReport> {
  const { clients, resources } = options;
  const report = { created: [] as string[], existing: [] as string[] };
  const note = (what: string, created: boolean) => {
    (created ? report.created : report.existing).push(what);
    options.onProgress?.(`${created ? "created" : "exists "}  ${what}`);
  };
  for (const table of [resources.registryTable, resources.jobsTable]) {
    note(`DynamoDB table ${table.name}`, await ensureTable(clients, table));
  }
  const deadLetterArn = await ensureQueue(clients, resources.deadLetterQueue, undefined, note);
  await ensureQueue(clients, resources.wakeQueue, deadLetterArn, note);
  const state = options.stateUrl ? parseS3StateUrl(options.stateUrl) : undefined;
  if (state) {
    note(`S3 bucket ${state.bucket}`, await ensureBucket(clients, state.bucket));
    note(`Pulumi state layout s3://${state.bucket}/${state.prefix}`, await ensurePulumiStateLayout(clients.s3, state));
  }
  const kms = options.secretsProvider ? parseKmsSecretsUrl(options.secretsProvider) : undefined;
  const key = kms && (await ensureKmsAlias(clients, kms.keyId));
  if (kms && key) note(`KMS key ${kms.keyId}`, key.created);
  // Last: its policy names the bucket and the key.
  const deployer = await ensureDeployerAccess({
    clients,
    note,
    prefix: options.prefix ?? prefixOf(resources),
    ...(state && { stateBucket: state.bucket, stateKeyPrefix: state.prefix }),
    ...(key && { kmsKeyArn: key.arn }),
  });
  return { ...report, deployer };
}

/** aws-resources.ts names the registry table `<prefix>-registry`. */
function prefixOf(resources: AwsResources): string {
  return resources.registryTable.name.replace(/-registry$/, "");
}

async function ensureTable({ dynamodb }: AwsClients, table: TableDefinition): Promise<boolean> {
  const what = `DynamoDB table ${table.name}`;
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
    return false;
  } catch (err) {
    if ((err as { name?: string }).name !== "ResourceNotFoundException")
      throw translateAwsError(err, `DescribeTable ${what}`);
  }
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: table.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        KeySchema: [
          { AttributeName: table.hashKey, KeyType: "HASH" },
          { AttributeName: table.rangeKey, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.hashKey, KeyType: "HASH" },
            { AttributeName: index.rangeKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: index.projectionType },
        })),
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 120 }, { TableName: table.name });
    if (table.ttlAttribute) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: table.name,
          TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        }),
      );
    }
    return true;
  } catch (err) {
    // Another bootstrap created it in between: it exists, which is what was asked.
    if ((err as { name?: string }).name === "ResourceInUseException") return false;
    throw translateAwsError(err, `CreateTable ${what}`);
  }
}

async function ensureQueue(
  { sqs }: AwsClients,
  queue: QueueDefinition,
  deadLetterArn: string | undefined,
  note: (what: string, created: boolean) => void,
): Promise<string> {
  const what = `SQS FIFO queue ${queue.name}`;
  let existed = true;
  try {
    await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
  } catch (err) {
    const name = (err as { name?: string }).name ?? "";
    if (name !== "QueueDoesNotExist" && name !== "AWS.SimpleQueueService.NonExistentQueue") {
      throw translateAwsError(err, `GetQueueUrl ${what}`);
    }
    existed = false;
  }
  try {
    // CreateQueue with the same attributes is idempotent; with other ones it says so (QueueNameExists).
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: queue.name, Attributes: queueAttributes(queue, deadLetterArn) }),
    );
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    note(what, !existed);
    return Attributes?.QueueArn ?? "";
  } catch (err) {
    throw translateAwsError(err, `CreateQueue ${what}`);
  }
}

/** SQS attributes of a queue definition (strings, as SQS takes them); shared with the platform program. */
export function queueAttributes(queue: QueueDefinition, deadLetterArn?: string): Record<string, string> {
  return {
    FifoQueue: "true",
    ContentBasedDeduplication: String(queue.contentBasedDeduplication),
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.messageRetentionSeconds),
    ...(deadLetterArn &&
      queue.maxReceiveCount && {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: queue.maxReceiveCount }),
      }),
  };
}

async function ensureBucket({ s3 }: AwsClients, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name !== "NotFound" && e.name !== "NoSuchBucket" && e.$metadata?.httpStatusCode !== 404) {
      throw translateAwsError(err, `HeadBucket ${bucket}`);
    }
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // Versioned: a state file overwritten by a bad update can be brought back.
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    return true;
  } catch (err) {
    throw translateAwsError(err, `CreateBucket ${bucket}`);
  }
}

/** The key behind the alias, created (with the alias) when missing. */
async function ensureKmsAlias({ kms }: AwsClients, keyId: string): Promise<{ created: boolean; arn: string }> {
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    return { created: false, arn: KeyMetadata?.Arn ?? "" };
  } catch (err) {
    if ((err as { name?: string }).name !== "NotFoundException") throw translateAwsError(err, `DescribeKey ${keyId}`);
  }
  if (!keyId.startsWith("alias/")) {
    throw translateAwsError(
      Object.assign(new Error(`key ${keyId} does not exist, and only an alias/... can be created`), {
        name: "NotFoundException",
      }),
      `DescribeKey ${keyId}`,
    );
  }
  try {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Description: "stackfork: Pulumi secrets of the environments' stacks" }),
    );
    await kms.send(new CreateAliasCommand({ AliasName: keyId, TargetKeyId: KeyMetadata?.KeyId }));
    return { created: true, arn: KeyMetadata?.Arn ?? "" };
  } catch (err) {
    throw translateAwsError(err, `CreateKey ${keyId}`);
  }
}
