import { utimesSync } from "node:fs";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { isUploadId } from "../core/upload-id.ts";
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
  /** A sandbox's uploaded working tree, for jobs whose commitSha is an upload id (core/upload-id.ts). */
  fromUpload?: ReadSource;
}

/**
 * An uploaded tree is read from the uploads; a repository with `localPath` from that clone;
 * otherwise from GitHub, when it is reachable.
 */
export function createSourceReader({ sourcesDir, fromGitHub, fromUpload }: SourceReaderOptions): ReadSource {
  const read = readFromOrigin({ sourcesDir, fromGitHub, fromUpload });
  return async (request) => {
    const checkout = await read(request);
    // Marks the tree as in use now: the sweep (sweep-source-trees.ts) leaves recent ones alone.
    const now = new Date();
    utimesSync(checkout.dir, now, now);
    return checkout;
  };
}

function readFromOrigin({ sourcesDir, fromGitHub, fromUpload }: SourceReaderOptions): ReadSource {
  return async (request) => {
    const { repository, environment, commitSha } = request;
    // Before the clone: an upload id is no commit, and git must never be asked for it.
    if (isUploadId(commitSha)) {
      if (fromUpload) return fromUpload(request);
      throw new StackforkError("SOURCE_NOT_FOUND", `${commitSha} is an uploaded tree, and uploads are not enabled`);
    }
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
