import { existsSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { slugify } from "../core/environment-name.ts";
import { StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { ReadSource } from "../source/create-source-reader.ts";
import { extractTarballSafely } from "../source/extract-tarball-safely.ts";
import type { GitHubClient } from "./create-github-client.ts";
import { translateGitHubError } from "./translate-github-error.ts";

export interface GitHubSourceReaderOptions {
  client: GitHubClient;
  /** Where extracted trees are cached: `<sourcesDir>/<slug(repository)>/<sha>`, as for local clones. */
  sourcesDir: string;
  log: Logger;
  /** Most bytes of file contents in one commit's tarball. @default 200 MiB */
  maxBytes?: number;
  /** Most entries in one commit's tarball. @default 50,000 */
  maxEntries?: number;
  /** The most a download (redirect and retries included) may take. @default 10 minutes */
  timeoutMs?: number;
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;

/**
 * Reads a commit of a repository that has no `localPath` from GitHub: the branch head when no SHA is
 * given (`repos.getBranch`), then the commit's tarball (`repos.downloadTarballArchive`, which answers
 * with a redirect to codeload that fetch follows), streamed into `extractTarballSafely` with its
 * `<owner>-<repo>-<sha7>/` folder stripped. A tree already in the cache is used without asking
 * GitHub anything. Errors: SOURCE_NOT_FOUND (no such branch or commit, or no access),
 * GITHUB_UNAVAILABLE (GitHub kept failing), ARCHIVE_* (the tarball was refused).
 * https://docs.github.com/en/rest/repos/contents#download-a-repository-archive-tar
 */
export function createGitHubSourceReader(options: GitHubSourceReaderOptions): ReadSource {
  const { client, sourcesDir, log } = options;
  const timeoutMs = options.timeoutMs ?? 600_000;

  return async ({ repository, environment, commitSha }) => {
    const name = repository.name;
    const [owner = "", repo = ""] = name.split("/");
    const cached = (sha: string) => path.join(sourcesDir, slugify(name), sha);
    if (commitSha !== undefined && FULL_SHA.test(commitSha) && existsSync(cached(commitSha))) {
      return { commitSha, dir: cached(commitSha) };
    }
    if (commitSha !== undefined && !FULL_SHA.test(commitSha) && !SHORT_SHA.test(commitSha)) {
      throw new StackforkError("SOURCE_NOT_FOUND", `${name}: ${JSON.stringify(commitSha)} is not a commit SHA`);
    }

    const signal = AbortSignal.timeout(timeoutMs);
    const octokit = await translate(client.forRepository(name), name, "stackfork has no access to it on GitHub");
    let sha: string;
    if (commitSha === undefined) {
      const branch = environment.branch;
      const { data } = await translate(
        octokit.rest.repos.getBranch({ owner, repo, branch, request: { signal } }),
        name,
        `branch ${JSON.stringify(branch)} is not on GitHub`,
      );
      sha = data.commit.sha;
    } else if (SHORT_SHA.test(commitSha)) {
      const { data } = await translate(
        octokit.rest.repos.getCommit({ owner, repo, ref: commitSha, request: { signal } }),
        name,
        `commit ${commitSha} is not on GitHub`,
      );
      sha = data.sha;
    } else {
      sha = commitSha;
    }
    const dir = cached(sha);
    if (existsSync(dir)) return { commitSha: sha, dir };

    const started = Date.now();
    const { data } = await translate(
      // Streamed, not buffered: the size cap applies while it arrives.
      octokit.rest.repos.downloadTarballArchive({
        owner,
        repo,
        ref: sha,
        request: { parseSuccessResponseBody: false, signal },
      }),
      name,
      `commit ${sha} is not on GitHub`,
    );
    try {
      await extractTarballSafely({
        archive: Readable.fromWeb(data as unknown as ReadableStream<Uint8Array>),
        destination: dir,
        stripComponents: 1,
        maxBytes: options.maxBytes,
        maxEntries: options.maxEntries,
      });
    } catch (err) {
      if (existsSync(dir)) return { commitSha: sha, dir }; // another job extracted the same commit first
      // A refused archive says so; a local disk error (ENOSPC...) is not GitHub's fault either.
      if (err instanceof StackforkError || (err as NodeJS.ErrnoException).syscall) throw err;
      throw new StackforkError("GITHUB_UNAVAILABLE", `${name}: downloading commit ${sha} failed: ${String(err)}`, {
        cause: err,
      });
    }
    log.info({ repository: name, commitSha: sha, ms: Date.now() - started }, "source downloaded from GitHub");
    return { commitSha: sha, dir };
  };
}

/** GitHub's answers as our codes (translate-github-error.ts): 404 and 422 mean no such commit, or no access to it. */
async function translate<T>(request: Promise<T>, repository: string, notFound: string): Promise<T> {
  try {
    return await request;
  } catch (err) {
    throw translateGitHubError(err, `${repository}: ${notFound}`, { notFound: "SOURCE_NOT_FOUND" });
  }
}
