import { isUploadId, UPLOADED_TREE_BRANCH } from "../core/upload-id.ts";

export type GitHubTarget = { branch: string } | { pullRequest: number } | { commit: string } | Record<string, never>;

/**
 * A link to the repository on GitHub, or to one of its branches, pull requests or commits. Each
 * path segment is percent-encoded, so a branch name cannot change where the link goes. Undefined
 * for what GitHub does not have: an uploaded working tree.
 */
export function githubUrl(repository: string, target: GitHubTarget = {}): string | undefined {
  const base = `https://github.com/${repository.split("/").map(encodeSegment).join("/")}`;
  if ("branch" in target) {
    if (target.branch === UPLOADED_TREE_BRANCH) return undefined;
    return `${base}/tree/${target.branch.split("/").map(encodeSegment).join("/")}`;
  }
  if ("pullRequest" in target) return `${base}/pull/${target.pullRequest}`;
  if ("commit" in target)
    return isUploadId(target.commit) ? undefined : `${base}/commit/${encodeURIComponent(target.commit)}`;
  return base;
}

/** encodeURIComponent leaves `.` alone, and a `..` segment would climb out of the repository's path. */
function encodeSegment(segment: string): string {
  return segment === "." || segment === ".." ? segment.replaceAll(".", "%2E") : encodeURIComponent(segment);
}
