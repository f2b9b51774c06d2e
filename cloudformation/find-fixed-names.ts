import type { Template } from "./read-template.ts";

/**
 * The property that sets a resource's physical name, for the types whose names are unique in an
 * account and region (so two copies, or a copy and production, would collide). CloudFormation
 * generates a unique name when the property is left out.
 */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  "AWS::DynamoDB::Table": "TableName",
  "AWS::DynamoDB::GlobalTable": "TableName",
  "AWS::Serverless::SimpleTable": "TableName",
  "AWS::Lambda::Function": "FunctionName",
  "AWS::Serverless::Function": "FunctionName",
  "AWS::IAM::Role": "RoleName",
  "AWS::IAM::User": "UserName",
  "AWS::IAM::Group": "GroupName",
  "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
  "AWS::IAM::InstanceProfile": "InstanceProfileName",
  "AWS::S3::Bucket": "BucketName",
  "AWS::SQS::Queue": "QueueName",
  "AWS::SNS::Topic": "TopicName",
  "AWS::Logs::LogGroup": "LogGroupName",
  "AWS::Events::Rule": "Name",
  "AWS::Events::EventBus": "Name",
  "AWS::StepFunctions::StateMachine": "StateMachineName",
  "AWS::Serverless::StateMachine": "Name",
  "AWS::Kinesis::Stream": "Name",
  "AWS::ECR::Repository": "RepositoryName",
  "AWS::SSM::Parameter": "Name",
  "AWS::SecretsManager::Secret": "Name",
  "AWS::KMS::Alias": "AliasName",
  "AWS::Cognito::UserPoolDomain": "Domain",
  "AWS::ApiGateway::DomainName": "DomainName",
};

export interface FixedName {
  resource: string;
  type: string;
  property: string;
}

/**
 * Resources whose physical name is the same in every copy: a literal, or built only from values
 * every copy shares (parameters, the region). A name that uses `AWS::StackName` (or `AWS::StackId`)
 * differs per copy and is fine.
 */
export function findFixedNames(template: Template): FixedName[] {
  const found: FixedName[] = [];
  for (const [resource, definition] of Object.entries(template.Resources ?? {})) {
    const type = definition?.Type;
    const property = typeof type === "string" ? NAME_PROPERTIES[type] : undefined;
    if (!type || !property) continue;
    const value = definition.Properties?.[property];
    if (value === undefined || value === null) continue;
    if (!mentionsStackName(value)) found.push({ resource, type, property });
  }
  return found;
}

/** The error's text: each resource, and the fix. */
export function describeFixedNames(fixed: readonly FixedName[]): string {
  const lines = fixed.map(
    ({ resource, type, property }) =>
      `${resource} (${type}) sets ${property}: write !Sub "\${AWS::StackName}-${resource.toLowerCase()}", or leave ${property} out so that CloudFormation names it`,
  );
  return `the template gives ${fixed.length === 1 ? "a resource a fixed name" : `${fixed.length} resources fixed names`}, which would collide between copies and with production:\n${lines.join("\n")}\n(or set "allowFixedNames": true in the repository's cloudformation block to deploy it anyway)`;
}

function mentionsStackName(value: unknown): boolean {
  if (typeof value === "string") return /\$\{AWS::Stack(Name|Id)\}/.test(value);
  if (Array.isArray(value)) return value.some(mentionsStackName);
  if (value && typeof value === "object") {
    const ref = (value as { Ref?: unknown }).Ref;
    if (ref === "AWS::StackName" || ref === "AWS::StackId") return true;
    return Object.values(value).some(mentionsStackName);
  }
  return false;
}
