import path from "node:path";
import { parseS3StateUrl } from "../aws/parse-pulumi-urls.ts";
import { findRepository, type StackforkConfig } from "../core/config.ts";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createEnvironmentActions } from "../dashboard/create-environment-actions.ts";
import { createWriteAccessCheck } from "../github/check-write-access.ts";
import { createGitHubClient } from "../github/create-github-client.ts";
import { createGitHubNotifier } from "../github/create-github-notifier.ts";
import { createLogNotifier } from "../github/create-log-notifier.ts";
import { createCommentReactor } from "../github/react-to-comment.ts";
import { createPreviewAddresses } from "../preview-router/create-preview-addresses.ts";
import { presentNotices } from "../preview-router/present-notices.ts";
import type { PulumiCli } from "../provisioner/pulumi-cli.ts";
import { resolveBackendUrl } from "../provisioner/resolve-backend-url.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import { loadS3UploadBucket } from "../uploads/load-s3-upload-bucket.ts";
import type { ReceiveDeliveryDeps } from "../webhook/receive-delivery.ts";
import { createWorker, type WorkerDeps } from "../worker/create-worker.ts";
import { assembleAccess } from "./assemble-access.ts";
import { createCloudOrphanFinder } from "./create-cloud-orphan-finder.ts";
import { openStores } from "./open-stores.ts";

export interface AssembleOptions {
  config: StackforkConfig;
  log: Logger;
  /** The secrets as this entry point found them (data dir files, the environment, Secrets Manager). */
  secrets: { webhookSecret?: string; apiToken?: string; pulumiPassphrase?: string };
}

/**
 * The one wiring of stackfork's parts from its configuration, shared by `stackfork serve` and the
 * Lambda entry points: stores, GitHub, the provisioner, the worker, the intake, the actions. Parts
 * an entry point does not use are never built (the webhook Lambda has no pulumi CLI).
 */
export async function assembleStackfork({ config, log, secrets }: AssembleOptions) {
  const dirs = {
    // Sandboxes' uploaded working trees, one folder per content hash (core/upload-id.ts).
    uploads: path.join(config.dataDir, "uploads"),
    sources: path.join(config.dataDir, "sources"),
    state: path.join(config.dataDir, "pulumi"),
  };
  const github = config.github
    ? createGitHubClient({
        auth: config.github.auth,
        baseUrl: config.github.apiUrl,
        log: log.child({ component: "github" }),
      })
    : undefined;
  // Environments as people see them: a local copy's `url` is its routed preview address (preview-router/).
  const previewAddresses = createPreviewAddresses({
    domain: config.previewDomain,
    port: config.previewPort ?? config.port,
  });
  const notifier = presentNotices(
    github ? createGitHubNotifier({ client: github, log, dashboardUrl: config.publicUrl }) : createLogNotifier(log),
    previewAddresses.present,
  );
  const stores = await openStores(config, log);
  const { registry, queue } = stores;
  const lookup = (fullName: string) => findRepository(config, fullName);
  const now = () => new Date();
  const backendUrl = resolveBackendUrl({ stateDir: dirs.state, backendUrl: config.stateUrl });
  // Loaded by the parts that read the state (orphans, sweeps): not by the webhook.
  let s3Client: import("@aws-sdk/client-s3").S3Client | undefined;
  const backend = async () => {
    const listing = await import("../provisioner/list-backend-stacks.ts");
    if (backendUrl.startsWith("s3://")) s3Client ??= (await import("../aws/create-aws-clients.ts")).createS3Client();
    return { ...listing, options: { s3: s3Client } };
  };
  // Uncompressed, a tree may be 10 times its upload; entries as many as a large monorepo's.
  const uploadedTreeLimits = { maxBytes: config.uploadMaxBytes * 10, maxEntries: 100_000 };
  // On the AWS store with an s3:// state, uploads go to `uploads/` of the state bucket through
  // presigned PUTs: a Function URL takes 6 MB at most, and the worker never sees the dashboard's disk.
  const uploadsBucketName = config.store === "aws" ? parseS3StateUrl(backendUrl)?.bucket : undefined;
  const uploadBucket =
    uploadsBucketName === undefined
      ? undefined
      : loadS3UploadBucket({ bucket: uploadsBucketName, maxBytes: config.uploadMaxBytes });

  // Loaded only by the entry points that run the engine: the webhook and dashboard bundles leave
  // the Automation API out.
  async function createProvisioner(cli: PulumiCli) {
    const { createPulumiProvisioner } = await import("../provisioner/create-pulumi-provisioner.ts");
    const { createSourceReader } = await import("../source/create-source-reader.ts");
    const { readUploadedTree } = await import("../uploads/read-uploaded-tree.ts");
    const { fetchBucketUpload } = await import("../uploads/fetch-bucket-upload.ts");
    const { createGitHubSourceReader } = await import("../github/create-github-source-reader.ts");
    const fetchUpload =
      uploadBucket &&
      fetchBucketUpload({
        bucket: uploadBucket,
        maxBytes: config.uploadMaxBytes,
        maxTreeBytes: uploadedTreeLimits.maxBytes,
        maxEntries: uploadedTreeLimits.maxEntries,
      });
    const { detectSandbox } = await import("../provisioner/sandbox/detect-sandbox.ts");
    const sandbox = await detectSandbox({
      mode: config.sandbox.mode,
      unshare: config.sandbox.unshare,
      rootDir: path.join(config.dataDir, "sandbox-root"),
      uid: config.sandbox.uid,
    });
    if (sandbox.kind === "none") {
      log.warn(
        { sandbox: sandbox.kind, reason: sandbox.reason },
        "no sandbox for branch code: it runs with an allow-listed environment and its own credentials, but sees this machine's files as stackfork's user does (README, Security model)",
      );
    }
    if (config.deployer.sharePlatformCredentials && !config.deployer.roleArn) {
      log.warn(
        "STACKFORK_SHARE_PLATFORM_CREDENTIALS=true: jobs that need AWS get the platform's own credentials (README, Security model)",
      );
    }
    const provisioner = createPulumiProvisioner({
      engine: {
        cli,
        stateDir: dirs.state,
        passphrase: secrets.pulumiPassphrase ?? "",
        searchPath: config.searchPath,
        backendUrl: config.stateUrl,
        secretsProvider: config.secretsProvider,
      },
      dataDir: config.dataDir,
      readSource: createSourceReader({
        sourcesDir: dirs.sources,
        fromUpload: readUploadedTree(dirs.uploads, fetchUpload),
        fromGitHub: github && createGitHubSourceReader({ client: github, sourcesDir: dirs.sources, log }),
      }),
      warmRunners: config.warmRunners,
      sandbox,
      runnerEnv: config.runnerEnv,
      credentialsFor: createJobCredentialsOf(),
      cloudFormationArtifacts: async (job) => {
        cloudFormationArtifacts ??= await createCloudFormationArtifactLocator();
        return cloudFormationArtifacts(job);
      },
      permissionsBoundary: async () => {
        if (config.deployer.permissionsBoundaryArn || config.store !== "aws")
          return config.deployer.permissionsBoundaryArn;
        const { copyBoundaryArnOf } = await import("../aws/deployer-names.ts");
        return copyBoundaryArnOf(await callerAccount(), config.awsPrefix);
      },
      secrets: [
        secrets.webhookSecret,
        secrets.apiToken,
        secrets.pulumiPassphrase,
        config.github && "token" in config.github.auth ? config.github.auth.token : undefined,
      ],
    });
    return Object.assign(provisioner, { sandbox });
  }

  /** Where CloudFormation copies' code is packaged (cloudformation/resolve-artifact-location.ts), built on first use. */
  let cloudFormationArtifacts:
    | ReturnType<typeof import("../cloudformation/resolve-artifact-location.ts").createArtifactLocator>
    | undefined;
  async function createCloudFormationArtifactLocator() {
    const { createArtifactLocator } = await import("../cloudformation/resolve-artifact-location.ts");
    const { createS3Client } = await import("../aws/create-aws-clients.ts");
    const { projectNameOf } = await import("../core/project-name-of.ts");
    return createArtifactLocator({
      s3: createS3Client(),
      stateBucket: parseS3StateUrl(backendUrl)?.bucket,
      awsPrefix: config.awsPrefix,
      account: callerAccount,
      projectNameOf,
    });
  }

  // The account of stackfork's own credentials, asked once: the bootstrap's role and boundary are in it.
  let account: Promise<string> | undefined;
  function callerAccount(): Promise<string> {
    account ??= import("../aws/read-platform-identity.ts")
      .then((m) => m.readCallerAccount())
      .catch((err: unknown) => {
        account = undefined;
        throw err;
      });
    return account;
  }

  /** Per-job AWS credentials: the deployer role, assumed for each environment (provisioner/create-job-credentials.ts). */
  function createJobCredentialsOf() {
    const needsAws = (repository: { target: string; cloudformation?: unknown }) =>
      repository.target === "aws" ||
      repository.cloudformation !== undefined ||
      backendUrl.startsWith("s3://") ||
      config.secretsProvider.startsWith("awskms://");
    let roleArn: Promise<string | undefined> | undefined;
    // On the AWS store the bootstrap's role is the default: its account is the caller's.
    const findRoleArn = async () => {
      if (config.deployer.roleArn || config.store !== "aws") return config.deployer.roleArn;
      const { deployerRoleArnOf } = await import("../aws/deployer-names.ts");
      return deployerRoleArnOf(await callerAccount(), config.awsPrefix);
    };
    return async (job: { environment: Environment; repository: RepositoryConfig }) => {
      const { createJobCredentials } = await import("../provisioner/create-job-credentials.ts");
      return createJobCredentials({
        needsAws,
        roleArn: () => {
          roleArn ??= findRoleArn().catch((err: unknown) => {
            roleArn = undefined;
            throw err;
          });
          return roleArn;
        },
        assume: async (request) => (await import("../aws/assume-deployer-role.ts")).assumeDeployerRole(request),
        sharePlatformCredentials: config.deployer.sharePlatformCredentials
          ? async () => (await import("../aws/read-platform-identity.ts")).readPlatformCredentials()
          : undefined,
      })(job);
    };
  }

  function createWorkerOf(
    provisioner: WorkerDeps["provisioner"],
    options: Pick<WorkerDeps, "workerId"> & Partial<WorkerDeps>,
  ) {
    return createWorker({
      registry,
      queue,
      provisioner,
      notifier,
      findRepository: lookup,
      log,
      now,
      concurrency: config.concurrency,
      leaseMs: config.leaseSeconds * 1000,
      takeoverGraceMs: config.takeoverGraceSeconds * 1000,
      maxAttempts: config.maxAttempts,
      // On SQS, work arrives as wakes: an idle platform makes no requests.
      poll: !stores.wakes,
      ...options,
    });
  }

  function createActions(wakeWorker?: () => void) {
    return createEnvironmentActions({
      registry,
      queue,
      nameMaxLength: config.nameMaxLength,
      repositories: config.repositories,
      sandboxesPerOwner: config.sandboxesPerOwner,
      uploads: { dir: dirs.uploads, ...uploadedTreeLimits },
      uploadBucket,
      now,
      wakeWorker,
    });
  }

  /** The intake's dependencies; `webhookSecret` stands in for a function that is not GitHub's target. */
  function intakeDeps(
    wakeWorker?: () => void,
    webhookSecret = secrets.webhookSecret,
  ): Omit<ReceiveDeliveryDeps, "log"> {
    if (!webhookSecret) {
      throw new StackforkError(
        "CONFIG_INVALID",
        "the webhook needs GITHUB_WEBHOOK_SECRET or GITHUB_WEBHOOK_SECRET_ARN",
      );
    }
    return {
      registry,
      queue,
      nameMaxLength: config.nameMaxLength,
      webhookSecrets: [webhookSecret],
      findRepository: lookup,
      now,
      wakeWorker,
      notifier,
      checkWriteAccess: github && createWriteAccessCheck(github),
      reactToComment: github && createCommentReactor(github, log),
    };
  }

  /**
   * Reconciliation with GitHub over the stores' reconciliation store: the embedded sweep and
   * `POST /api/reconcile`, and the reaper Lambda's step, run this same one. Undefined offline.
   */
  async function createReconciler(wakeWorker?: () => void): Promise<GitHubReconciler | undefined> {
    if (!github) return undefined;
    const { createGitHubReconciler } = await import("../reconciliation/create-github-reconciler.ts");
    return createGitHubReconciler({
      registry,
      queue,
      nameMaxLength: config.nameMaxLength,
      wakeWorker,
      notifier,
      github,
      store: stores.reconciliation,
      repositories: config.repositories,
      redeliveriesPerRun: config.redeliveriesPerRun,
      log: log.child({ component: "reconcile" }),
      now,
    });
  }

  return {
    config,
    log,
    secrets,
    dirs,
    github,
    notifier,
    stores,
    registry,
    queue,
    findRepository: lookup,
    now,
    previewAddresses,
    createProvisioner,
    createWorker: createWorkerOf,
    createActions,
    intakeDeps,
    createReconciler,
    /** Resources tagged by copies of `aws`-target repositories whose environment is not live. */
    findCloudOrphans: createCloudOrphanFinder({ registry, repositories: config.repositories }),
    ...assembleAccess({ config, registry, github, now }),
    /** Every stack of the environments' Pulumi backend (orphan reports). */
    listStacks: async () => {
      const { listBackendStacks, options } = await backend();
      return listBackendStacks(backendUrl, options);
    },
    /** Every stack's state as text (the source-tree sweep keeps what a state names). */
    readStates: async () => {
      const { readBackendStates, options } = await backend();
      return readBackendStates(backendUrl, options);
    },
  };
}

export type Assembled = Awaited<ReturnType<typeof assembleStackfork>>;
