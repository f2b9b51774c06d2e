import { existsSync } from "node:fs";
import path from "node:path";
import { requiredSourcePathOf } from "../core/cloudformation-config.ts";
import type { Environment, EnvironmentIdentity } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import { identityOf } from "../core/identity-of.ts";
import type { Intent, IntentCause } from "../core/intent.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { formatUploadId, UPLOADED_TREE_BRANCH } from "../core/upload-id.ts";
import { type SubmitResult, submitIntent } from "../intake/submit-intent.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import { storeUploadedTree } from "../uploads/store-uploaded-tree.ts";
import type { PresignedUpload, UploadBucket } from "../uploads/upload-bucket.ts";
import type { ActionBy } from "./create-request-access.ts";
import { findRefProblem } from "./find-ref-problem.ts";

export interface EnvironmentActionsDeps {
  registry: Registry;
  queue: JobQueue;
  nameMaxLength: number;
  /** The configured repositories: a sandbox can only be of one of them. */
  repositories: readonly RepositoryConfig[];
  /** Live sandboxes per owner across repositories; undefined: one per repository, no other limit. */
  sandboxesPerOwner?: number;
  uploads: { dir: string; maxBytes: number; maxEntries: number };
  /**
   * Where uploaded trees go when this server's disk is not the worker's (AWS): clients PUT them to
   * a presigned URL (`presignUpload`) and ask for the sandbox by `uploadId`. Absent: the server
   * takes the tarball in the request and keeps it in `uploads.dir`.
   */
  uploadBucket?: UploadBucket;
  now: () => Date;
  wakeWorker?: () => void;
}

/** What a person asked for, and what came of it: `jobId` when a job was queued, `ignored` when none was needed. */
export interface ActionResult {
  environment: Environment;
  jobId?: string;
  ignored?: string;
}

export interface SandboxRequest {
  repository: string;
  owner: string;
  /** A branch, or a commit (7 to 40 hex digits), of the repository. @default its defaultBranch */
  ref?: string;
  /** A gzip tarball of a working tree, instead of a ref. */
  upload?: Buffer;
  /** A tree already PUT to the upload bucket (`presignUpload`), instead of a ref. */
  uploadId?: string;
  /** Who asked and how: recorded in history (`actor`, `via`). */
  by: ActionBy;
}

export interface UploadRequest {
  repository: string;
  owner: string;
  /** SHA-256 of the gzip tarball, 64 hex digits: the upload id is made of it. */
  sha256: string;
  /** The tarball's exact length. */
  bytes: number;
}

/** Where to PUT an upload's bytes; `alreadyUploaded`: the same bytes are in the bucket, no PUT needed. */
export interface UploadTicket extends PresignedUpload {
  uploadId: string;
  alreadyUploaded: boolean;
}

const COMMIT = /^[0-9a-f]{7,40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * What the API and the dashboard's forms can do to environments. Every change that needs a job goes
 * through submitIntent, so history records who asked and why, exactly as for a webhook.
 */
export function createEnvironmentActions(deps: EnvironmentActionsDeps) {
  const { registry } = deps;
  const submit = (intent: Intent) => submitIntent(deps, intent, deps.now());

  async function requireEnvironment(id: string): Promise<Environment> {
    const environment = await registry.getEnvironment(id);
    if (!environment) throw new StackforkError("NOT_FOUND", `no environment ${id}`, { details: { id } });
    return environment;
  }

  function requireRepository(name: string): RepositoryConfig {
    const repository = deps.repositories.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!repository) {
      const configured = deps.repositories.map((r) => r.name).join(", ") || "none";
      throw new StackforkError(
        "REPOSITORY_NOT_CONFIGURED",
        `repository ${name} is not configured (configured: ${configured}); add it to stackfork.config.json`,
      );
    }
    return repository;
  }

  /** One way per server: a tarball kept on a disk the worker may not share would never deploy. */
  function checkUploadWay(request: SandboxRequest): void {
    if (request.upload && deps.uploadBucket) throw presignedUploadRequired();
    if (request.uploadId && !deps.uploadBucket) {
      throw new StackforkError(
        "INVALID_INPUT",
        "this server keeps uploads itself: POST the gzip tarball to /api/environments?repository=<owner/name>&owner=<login>",
      );
    }
    if (request.uploadId && (request.ref || request.upload)) {
      throw new StackforkError("INVALID_INPUT", "ask for a sandbox from a ref or from an uploadId, not both");
    }
  }

  async function checkQuota(identity: Extract<EnvironmentIdentity, { kind: "sandbox" }>, existing?: Environment) {
    const limit = deps.sandboxesPerOwner;
    if (limit === undefined || (existing && existing.status !== "destroyed")) return;
    const live = await registry.listEnvironments({ kind: "sandbox", owner: identity.owner, limit: limit + 1 });
    if (live.environments.length >= limit) {
      throw new StackforkError(
        "QUOTA_EXCEEDED",
        `${identity.owner} already has ${live.environments.length} sandbox(es) (${live.environments.map((e) => e.name).join(", ")}), the most allowed is ${limit}: destroy one first (stackfork sandbox down)`,
        { details: { owner: identity.owner, limit } },
      );
    }
  }

  return {
    /** Creates or updates `sandbox/<owner>` of a repository, from a ref or an uploaded tree. */
    async requestSandbox(request: SandboxRequest): Promise<ActionResult> {
      const repository = requireRepository(request.repository);
      checkUploadWay(request);
      const uploaded = request.upload !== undefined || request.uploadId !== undefined;
      const ref = uploaded ? UPLOADED_TREE_BRANCH : (request.ref ?? repository.defaultBranch);
      const refProblem = uploaded ? undefined : findRefProblem(ref);
      if (refProblem) throw new StackforkError("INVALID_INPUT", `ref ${JSON.stringify(ref)} ${refProblem}`);
      const identity = { kind: "sandbox" as const, repository: repository.name, owner: request.owner, branch: ref };
      const existing = await registry.findEnvironment(identity);
      await checkQuota(identity, existing);

      let commitSha = COMMIT.test(ref) ? ref : undefined;
      let from = `ref ${ref}`;
      if (request.upload) {
        const stored = await storeUploadedTree({
          archive: request.upload,
          uploadsDir: deps.uploads.dir,
          ...deps.uploads,
        });
        if (!existsSync(path.join(stored.dir, requiredSourcePathOf(repository)))) {
          throw new StackforkError(
            "UPLOAD_INVALID",
            `the uploaded tree has no ${requiredSourcePathOf(repository)} (the stack project of ${repository.name}): upload the repository's root folder`,
          );
        }
        commitSha = stored.uploadId;
        from = `an uploaded working tree (${stored.uploadId})`;
      }
      if (request.uploadId && deps.uploadBucket) {
        // Only its presence can be checked here (the dashboard may list the bucket, not read it):
        // the worker checks the bytes and the tree when it reads them (uploads/fetch-bucket-upload.ts).
        if (!(await deps.uploadBucket.findUpload(request.uploadId))) {
          throw new StackforkError(
            "SOURCE_NOT_FOUND",
            `no upload ${request.uploadId} in the bucket: PUT the tarball to the URL of POST /api/uploads first`,
            { details: { uploadId: request.uploadId } },
          );
        }
        commitSha = request.uploadId;
        from = `an uploaded working tree (${request.uploadId})`;
      }
      // A sandbox's ref is not its identity: the worker reads the branch of the environment when it runs.
      if (existing && existing.branch !== ref)
        await registry.updateEnvironment(existing.id, { branch: ref }, deps.now());
      const result = await submit({
        type: "deploy",
        identity,
        commitSha,
        cause: cause(request.by, `sandbox up from ${from}`),
      });
      return toActionResult(result);
    },

    /** Where uploads go: `bucket` (presignUpload, then requestSandbox with its uploadId) or this `server`. */
    uploadsTo: (deps.uploadBucket ? "bucket" : "server") as "bucket" | "server",

    /**
     * A presigned PUT for a working tree's tarball of exactly `bytes` bytes hashing to `sha256`;
     * its upload id is made of that hash, as when the server stores the tarball itself.
     */
    async presignUpload(request: UploadRequest): Promise<UploadTicket> {
      const bucket = deps.uploadBucket;
      if (!bucket) {
        throw new StackforkError(
          "NOT_FOUND",
          "this server keeps uploads itself: POST the gzip tarball to /api/environments?repository=<owner/name>&owner=<login>",
        );
      }
      requireRepository(request.repository);
      const sha256 = request.sha256.toLowerCase();
      if (!SHA256.test(sha256)) throw new StackforkError("INVALID_INPUT", "sha256 must be 64 hex digits");
      if (!Number.isInteger(request.bytes) || request.bytes < 1) {
        throw new StackforkError("INVALID_INPUT", "bytes must be the tarball's length, at least 1");
      }
      if (request.bytes > bucket.maxBytes) {
        throw new StackforkError(
          "ARCHIVE_TOO_LARGE",
          `the upload is ${request.bytes} bytes, over the ${bucket.maxBytes} allowed (uploadMaxMegabytes)`,
          { details: { maxBytes: bucket.maxBytes } },
        );
      }
      const uploadId = formatUploadId(sha256);
      const [presigned, existing] = await Promise.all([
        bucket.presignUpload({ uploadId, sha256, bytes: request.bytes }),
        bucket.findUpload(uploadId),
      ]);
      return { uploadId, ...presigned, alreadyUploaded: existing?.bytes === request.bytes };
    },

    /** Deploys again the commit last asked for (the current one), e.g. after a failure. */
    async redeploy(id: string, by: ActionBy): Promise<ActionResult> {
      const environment = await requireEnvironment(id);
      // A fork's code runs only once someone with write access approves that commit, on GitHub.
      if (environment.status === "awaiting_approval") {
        throw new StackforkError(
          "INVALID_TRANSITION",
          `${environment.name} awaits approval: approve its commit on the pull request (/stackfork deploy, or the approval label)`,
        );
      }
      const events = await registry.listEvents(id, { limit: 500 });
      const requested = events.findLast((e) => e.type === "deploy_requested" && e.commitSha)?.commitSha;
      const commitSha = requested ?? environment.commitSha;
      return toActionResult(
        await submit({
          type: "deploy",
          identity: identityOf(environment),
          commitSha,
          cause: cause(by, `redeploy of ${commitSha ?? `the head of ${environment.branch}`}`),
        }),
      );
    },

    async destroy(id: string, by: ActionBy): Promise<ActionResult> {
      const environment = await requireEnvironment(id);
      return toActionResult(
        await submit({ type: "destroy", identity: identityOf(environment), cause: cause(by, "destroy") }),
      );
    },

    async extend(id: string, hours: number, by: ActionBy): Promise<ActionResult> {
      const environment = await requireEnvironment(id);
      return toActionResult(
        await submit({
          type: "extend",
          identity: identityOf(environment),
          hours,
          cause: cause(by, `expiry extended by ${hours} h`),
        }),
      );
    },
  };
}

export type EnvironmentActions = ReturnType<typeof createEnvironmentActions>;

/** The answer to a tarball sent in the request to a server whose uploads go to S3. */
export function presignedUploadRequired(): StackforkError {
  return new StackforkError(
    "PRESIGNED_UPLOAD_REQUIRED",
    "this server keeps uploads in S3: use the presigned upload: POST /api/uploads { repository, owner, sha256, bytes }, PUT the tarball to its uploadUrl with its headers, then POST /api/environments { repository, owner, uploadId } (stackfork sandbox up --dir does all three)",
  );
}

function cause({ actor, via }: ActionBy, message: string): IntentCause {
  return { actor, via, message };
}

function toActionResult(result: SubmitResult): ActionResult {
  switch (result.outcome) {
    case "queued":
      return { environment: result.environment, jobId: result.jobId };
    case "extended":
    case "destroyed":
      // Done at once, with no job (an expiry; a fork that never ran has nothing to tear down).
      return { environment: result.environment };
    default:
      if (!result.environment)
        throw new StackforkError("NOT_FOUND", "reason" in result ? result.reason : "no environment");
      return { environment: result.environment, ignored: "reason" in result ? result.reason : result.outcome };
  }
}
