import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import { projectNameOf } from "../core/project-name-of.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface JobCredentialsOptions {
  /** Whether a job of this repository reaches AWS: an `s3://` state, `awskms://` secrets, or `target: "aws"`. */
  needsAws: (repository: RepositoryConfig) => boolean;
  /** The deployer role (STACKFORK_DEPLOYER_ROLE_ARN, or the bootstrap's on the AWS store), once known. */
  roleArn: () => Promise<string | undefined>;
  /** Assumes the role for one environment, with its session tags (aws/assume-deployer-role.ts). */
  assume: (request: {
    roleArn: string;
    environment: string;
    project: string;
    repository: string;
  }) => Promise<AwsCredentials>;
  /** STACKFORK_SHARE_PLATFORM_CREDENTIALS: the operator's explicit, logged opt-out. */
  sharePlatformCredentials?: () => Promise<AwsCredentials>;
}

/**
 * The AWS credentials a job's runner gets, as variables: a deployer role's, assumed for this one
 * environment and tagged with it, so that its policy reaches only this environment's copy and
 * state. A job that needs no AWS gets none. With no role, the job is refused (never the platform's
 * own keys), unless the operator opted out.
 */
export function createJobCredentials(options: JobCredentialsOptions) {
  return async ({ environment, repository }: { environment: Environment; repository: RepositoryConfig }) => {
    if (!options.needsAws(repository)) return {};
    const roleArn = await options.roleArn();
    let credentials: AwsCredentials;
    if (roleArn) {
      credentials = await options.assume({
        roleArn,
        environment: environment.name,
        project: projectNameOf(repository),
        repository: repository.name,
      });
    } else if (options.sharePlatformCredentials) {
      credentials = await options.sharePlatformCredentials();
    } else {
      throw new StackforkError(
        "DEPLOYER_ROLE_REQUIRED",
        `${environment.name} needs AWS credentials and no deployer role is configured: set STACKFORK_DEPLOYER_ROLE_ARN (stackfork aws bootstrap creates one), or STACKFORK_SHARE_PLATFORM_CREDENTIALS=true to hand the platform's own to branch code`,
      );
    }
    return {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken && { AWS_SESSION_TOKEN: credentials.sessionToken }),
    };
  };
}
