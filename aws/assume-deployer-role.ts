import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { StackforkError } from "../core/errors.ts";
import type { AwsClientOptions } from "./aws-client-config.ts";
import { awsClientConfig } from "./aws-client-config.ts";
import { DEPLOYER_SESSION_TAG_KEYS, type DeployerSessionTags } from "./deployer-names.ts";
import { translateAwsError } from "./translate-aws-error.ts";

export interface AssumeDeployerRoleOptions extends DeployerSessionTags {
  /** STACKFORK_DEPLOYER_ROLE_ARN (deployerRoleArnOf for a bootstrapped setup). */
  roleArn: string;
  /**
   * How long the credentials last: from 900 s to the role's maximum, and at most 3600 s when the
   * caller is itself a role's session, as a Lambda function is (role chaining).
   * @default 3600
   */
  durationSeconds?: number;
  /** The SDK's standard chain decides the rest (region, endpoint, the caller's credentials). */
  clientConfig?: AwsClientOptions;
}

export interface DeployerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Environment and project names as stackfork makes them: core/environment-name.ts's slugs. */
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/**
 * Session tag values allow letters, digits, spaces and `_ . : / = + - @`, up to 256 characters:
 * `owner/name` passes as it is (GitHub allows `[\w.-]` in both parts).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_know
 */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/**
 * The credentials of one job: the deployer role assumed with the environment's session tags, the
 * only AWS credentials a branch's code is handed (its stack program, its dependencies' scripts).
 * The tags are transitive: a role chained from this session keeps them and cannot change them.
 */
export async function assumeDeployerRole(options: AssumeDeployerRoleOptions): Promise<DeployerCredentials> {
  const tags = checkSessionTags(options);
  const sts = new STSClient(awsClientConfig(options.clientConfig));
  const what = `sts:AssumeRole ${options.roleArn} for ${options.environment}`;
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: deployerSessionNameOf(options.environment),
        DurationSeconds: options.durationSeconds ?? 3600,
        Tags: DEPLOYER_SESSION_TAG_KEYS.map((key) => ({ Key: key, Value: tags[key] })),
        TransitiveTagKeys: [...DEPLOYER_SESSION_TAG_KEYS],
      }),
    );
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = Credentials ?? {};
    if (!AccessKeyId || !SecretAccessKey || !SessionToken || !Expiration) {
      throw new StackforkError("AWS_REQUEST_FAILED", `${what}: STS answered without credentials`);
    }
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: SessionToken,
      expiration: Expiration,
    };
  } catch (err) {
    throw translateAwsError(err, what);
  } finally {
    sts.destroy();
  }
}

/** RoleSessionName: `[\w+=,.@-]`, 2 to 64 characters; CloudTrail shows it, so it names the environment. */
export function deployerSessionNameOf(environment: string): string {
  return `stackfork-${environment}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}

function checkSessionTags(options: DeployerSessionTags): DeployerSessionTags {
  const problems: string[] = [];
  for (const key of ["environment", "project"] as const) {
    if (!SLUG.test(options[key])) problems.push(`${key} ${JSON.stringify(options[key])} is not lowercase [a-z0-9-]`);
  }
  if (!TAG_VALUE.test(options.repository)) {
    problems.push(`repository ${JSON.stringify(options.repository)} cannot be a session tag value`);
  }
  if (problems.length > 0) {
    throw new StackforkError("INVALID_INPUT", `cannot assume the deployer role: ${problems.join("; ")}`, {
      details: { problems },
    });
  }
  return { environment: options.environment, project: options.project, repository: options.repository };
}
