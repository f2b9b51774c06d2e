/**
 * A sandbox deployed from an uploaded working tree has no commit: its job's `commitSha` is the
 * content hash of the upload instead, `upload-<16 hex>`, so that the source reader, the dashboard
 * and history can tell it from a git SHA (a git SHA is hex only and never starts with `upload-`).
 */
const UPLOAD_ID = /^upload-[0-9a-f]{16}$/;

export function isUploadId(commitSha: string | undefined): boolean {
  return commitSha !== undefined && UPLOAD_ID.test(commitSha);
}

/** @example formatUploadId("9f86d081884c7d659a2feaa0c55ad015...") // "upload-9f86d081884c7d65" */
export function formatUploadId(sha256Hex: string): string {
  return `upload-${sha256Hex.slice(0, 16)}`;
}

/**
 * The sandbox's branch (its ref label) while it runs an uploaded tree. Not a valid git ref name
 * (git refuses spaces and parentheses), so no real branch can be mistaken for it.
 */
export const UPLOADED_TREE_BRANCH = "(working tree)";
