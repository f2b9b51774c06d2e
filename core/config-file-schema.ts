import * as z from "zod";
import { repositorySchema } from "./repository-config.ts";

/** The config file (`STACKFORK_CONFIG`, default ./stackfork.config.json): every key, its default and why. */
export const configFileSchema = z
  .object({
    repositories: z.array(repositorySchema).default([]),
    /** Longest environment name; every AWS resource name is built from it (see core/environment-name.ts). */
    nameMaxLength: z.number().int().min(16).max(40).default(40),
    /** Engine runs at once, across environments. @default the number of CPUs */
    concurrency: z.number().int().positive().optional(),
    /** Seconds a running job may go without a heartbeat before another worker takes it again. */
    leaseSeconds: z.number().int().positive().default(60),
    /** Attempts for a job that fails transiently (e.g. STACK_LOCKED) before it is marked failed. */
    maxAttempts: z.number().int().positive().default(3),
    /** Seconds SIGTERM waits for running jobs before aborting them. */
    shutdownGraceSeconds: z.number().int().nonnegative().default(30),
    /** Seconds between two sweeps for expired environments (each repository's `ttlHours`). */
    reapIntervalSeconds: z.number().int().positive().default(60),
    /**
     * Seconds between two reconciliations with GitHub (branches, open pull requests, missed
     * deliveries), when stackfork has GitHub credentials; 0: only on demand (`stackfork reconcile`).
     * @default 300
     */
    reconcileIntervalSeconds: z.number().int().nonnegative().default(300),
    /**
     * Seconds between two cost measurements (issue 21): copies with usage are measured every
     * interval, idle ones weekly (README, "What an environment costs"); 0 turns measuring off.
     * @default 3600
     */
    costIntervalSeconds: z.number().int().nonnegative().default(3600),
    /**
     * Also read Cost Explorer's figure per environment by its `environment` cost-allocation tag (the
     * operator activates the tag first): at most once a day, $0.01 a request, a day behind.
     * @default false
     */
    costExplorer: z.boolean().default(false),
    /** Redeliveries of missed webhook deliveries one reconciliation asks GitHub for, at most. @default 20 */
    redeliveriesPerRun: z.number().int().nonnegative().max(100).default(20),
    /** Engine runner processes kept started ahead of jobs (~180 MB each idle; each saves ~1 s of a deploy). */
    warmRunners: z.number().int().nonnegative().max(16).default(1),
    /**
     * Let anyone who reaches the server read the dashboard and the read API when it listens on an
     * address other than loopback. On loopback, reads are always open; changes always need the token.
     * @default false
     */
    publicReads: z.boolean().default(false),
    /**
     * Live (not destroyed) sandboxes one owner may have across repositories; each repository holds
     * at most one per owner anyway (its identity). Unset: no limit beyond that.
     * @example 1
     */
    sandboxesPerOwner: z.number().int().positive().optional(),
    /** Largest uploaded working tree (`sandbox up --dir`), compressed, in MiB. @default 50 */
    uploadMaxMegabytes: z.number().positive().max(1024).default(50),
    /**
     * A job taken over from an expired lease starts only this long after that lease ran out, so its
     * previous runner is killed first (the provisioner kills an aborted engine after 20 s); longer
     * than that plus the clock skew between workers. @default 30
     */
    takeoverGraceSeconds: z.number().int().min(21).max(600).default(30),
    /**
     * Names people reach the dashboard by besides localhost, 127.0.0.1, [::1], HOST and the server's
     * address (`name` or `name:port`); reads open without the token under any other Host answer 421
     * HOST_NOT_ALLOWED (DNS rebinding). @default the host of STACKFORK_PUBLIC_URL, when set
     */
    allowedHosts: z.array(z.string().min(1)).optional(),
    /**
     * A reverse proxy in front: its X-Forwarded-Proto (Secure cookie) and X-Forwarded-Host (Host
     * check) are believed. Only when nothing else can reach the server. @default false
     */
    trustProxy: z.boolean().default(false),
    /**
     * The GitHub team whose active members are the platform's admins once people sign in with
     * GitHub (issue 22): they see and act on every environment, orphans and reconciliation, and
     * manage named tokens. The GitHub App needs the organization's Members: read permission.
     * @example "acme/platform-team"
     */
    adminTeam: z
      .string()
      .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/, "org/team-slug")
      .optional(),
    /**
     * Previews are `http://<environment>.<previewDomain>:<previewPort>/`, routed by Host to the copy
     * (preview-router/). Browsers resolve every `*.localhost` name to loopback; a team sets its own
     * wildcard domain. @default "localhost"
     */
    previewDomain: z
      .string()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/i, "must be a domain name")
      .default("localhost"),
    /** A port of the router's own; a request there is always a preview's. @default the server's port */
    previewPort: z.number().int().min(1).max(65535).optional(),
  })
  .strict();
