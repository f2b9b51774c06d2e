import type { RepositoryConfig } from "../core/config.ts";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import { type Checkout, checkoutLocalCommit } from "./checkout-local-commit.ts";

export interface SourceRequest {
  repository: RepositoryConfig;
  environment: Environment;
  /** Absent when only the branch is known: its head is taken. */
  commitSha?: string;
}

/** A commit's tree on disk, from wherever the repository's source comes from. */
export type ReadSource = (request: SourceRequest) => Promise<Checkout>;

export interface SourceReaderOptions {
  /** Where extracted trees are cached, one directory per repository and SHA. */
  sourcesDir: string;
  /** The commit's tarball from GitHub, for repositories without `localPath`. */
  fromGitHub?: ReadSource;
}

/** A repository with `localPath` is read from that clone; otherwise from GitHub, when it is reachable. */
export function createSourceReader({ sourcesDir, fromGitHub }: SourceReaderOptions): ReadSource {
  return async (request) => {
    const { repository, environment, commitSha } = request;
    if (repository.localPath) {
      return checkoutLocalCommit({
        clonePath: repository.localPath,
        repository: repository.name,
        commitSha,
        branch: environment.branch,
        sourcesDir,
      });
    }
    if (fromGitHub) return fromGitHub(request);
    throw new StackforkError(
      "SOURCE_NOT_FOUND",
      `${repository.name} has no localPath and stackfork has no GitHub credentials to download it: set localPath in the config, or GITHUB_TOKEN`,
    );
  };
}
