import { createHash } from "node:crypto";
import { StackforkError } from "../core/errors.ts";
import type { Progress } from "./create-progress.ts";
import { requestApi } from "./request-api.ts";

export interface UploadToBucketRequest {
  serverUrl: string;
  token?: string;
  repository: string;
  owner: string;
  /** The gzip tarball of pack-working-tree.ts. */
  archive: Buffer;
  progress: Progress;
}

interface UploadTicket {
  uploadId: string;
  method: "PUT";
  uploadUrl: string;
  headers: Record<string, string>;
  alreadyUploaded: boolean;
}

/**
 * A working tree to a server that keeps uploads in S3 (GET /api/uploads/config says `presigned`):
 * asks for a presigned PUT of exactly these bytes, sends them straight to S3 (never through the
 * server: a Lambda Function URL takes 6 MB at most), and answers the upload id to deploy.
 */
export async function uploadToBucket(request: UploadToBucketRequest): Promise<string> {
  const { serverUrl, archive, progress } = request;
  const sha256 = createHash("sha256").update(archive).digest("hex");
  const ticket = await requestApi<UploadTicket>(serverUrl, "/api/uploads", {
    method: "POST",
    body: { repository: request.repository, owner: request.owner, sha256, bytes: archive.length },
    token: request.token,
  });
  if (ticket.alreadyUploaded) {
    progress.update(`${ticket.uploadId} is uploaded already: nothing to send`);
    return ticket.uploadId;
  }
  progress.update(`uploading ${(archive.length / 1024).toFixed(0)} KiB to ${new URL(ticket.uploadUrl).host}`);
  let response: Response;
  try {
    response = await fetch(ticket.uploadUrl, {
      method: ticket.method,
      headers: ticket.headers,
      body: new Uint8Array(archive),
    });
  } catch (err) {
    throw new StackforkError("AWS_UNAVAILABLE", `the upload to ${new URL(ticket.uploadUrl).host} failed`, {
      cause: err,
    });
  }
  if (!response.ok) {
    // S3 answers XML: <Error><Code>BadDigest</Code><Message>...</Message></Error>.
    const text = await response.text().catch(() => "");
    const s3Code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    throw new StackforkError(
      response.status === 403 ? "AWS_ACCESS_DENIED" : "AWS_REQUEST_FAILED",
      `S3 refused the upload of ${ticket.uploadId}: ${s3Code} (run the command again for a new URL)`,
      { details: { status: response.status, s3Code } },
    );
  }
  return ticket.uploadId;
}
