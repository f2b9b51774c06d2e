import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectSandbox } from "../../provisioner/sandbox/detect-sandbox.ts";
import { createAwsStackforkEnv } from "../support/aws-stackfork-env.ts";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer, WEBHOOK_SECRET } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { listObjectKeys } from "../support/s3-objects.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { pushPayload } from "../support/webhook-deliveries.ts";

const probeSource = path.resolve(import.meta.dirname, "../fixtures/probe-stack");
/** A secret of the operator's shell under a name no list of ours knows. */
const CANARY = "operator-canary-7f3a9c1e";
const PASSPHRASE = "e2e-passphrase";

interface ProbeReport {
  env: Record<string, string>;
  reads: Record<string, string>;
  writes: Record<string, string>;
  listings: { dataDir: string[]; backend: string[] };
  uid: number;
}

// Issue 15: a branch's stack program, deployed like any push, looks for everything of the platform's
// and of another environment's that it could reach. It must reach nothing but its own.
describe("a branch's program in the sandbox", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-probe-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    server = await startEmbeddedServer({
      dataDir,
      repositories: [
        { name: "acme/api", localPath: repo.dir },
        { name: "acme/probe", localPath: repo.dir, stackPath: "stacks/probe" },
      ],
      env: { OPERATOR_NOTE: CANARY, AWS_SECRET_ACCESS_KEY: `${CANARY}-aws` },
    });
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  const deployed = async (repository: string, branch: string, sha: string) => {
    const accepted = await server.deliver("push", pushPayload(repository, branch, sha));
    expect(accepted.status).toBe(202);
    const id = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    const env = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed", 180_000);
    expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
    return env;
  };

  it("reaches none of the platform's secrets, databases or environment, nor another environment's state", async () => {
    const sandbox = await detectSandbox({
      mode: "auto",
      unshare: "unshare",
      rootDir: path.join(work, "probe-root"),
      uid: 61_000,
    });
    // This machine has namespaces (as root: the job's own uid). The test says so if it has none.
    expect(sandbox.kind, sandbox.reason).not.toBe("none");

    const other = await deployed("acme/api", "feature/other", repo.commit("feature/other", "other"));
    const otherState = path.join(
      dataDir,
      "pulumi",
      "backend",
      "acme-api",
      other.name,
      ".pulumi",
      "stacks",
      "acme-api",
      `${other.name}.json`,
    );
    expect(existsSync(otherState)).toBe(true);
    expect(existsSync(path.join(dataDir, "registry.db"))).toBe(true);

    cpSync(probeSource, path.join(repo.dir, "stacks/probe"), { recursive: true });
    writeFileSync(
      path.join(repo.dir, "stacks/probe/Pulumi.yaml"),
      `name: probe\nruntime: nodejs\nconfig:\n  probe:other: ${JSON.stringify(otherState)}\n`,
    );
    repo.addAll("the probe");
    const probe = await deployed("acme/probe", "feature/probe", repo.commit("feature/probe", "probe"));
    const report = JSON.parse(String(probe.outputs?.report)) as ProbeReport;

    // Nothing of the server's environment but the allow-list: no secret under any name.
    const values = Object.values(report.env).join("\n");
    for (const secret of [CANARY, WEBHOOK_SECRET, API_TOKEN, PASSPHRASE]) expect(values).not.toContain(secret);
    for (const name of ["GITHUB_WEBHOOK_SECRET", "STACKFORK_API_TOKEN", "OPERATOR_NOTE", "AWS_SECRET_ACCESS_KEY"]) {
      expect(Object.keys(report.env)).not.toContain(name);
    }
    // No file of the platform's, no other stack's state, no other process's environment or root.
    for (const [what, outcome] of Object.entries(report.reads)) expect(outcome, what).not.toBe("ok");
    // Of the data dir it sees only the folders that lead to its own paths, and of the state only its stack.
    expect(report.listings.dataDir.sort()).toEqual(["copies", "pulumi", "sources"]);
    expect(report.listings.backend.filter((p) => p.endsWith(".json"))).not.toContain(path.basename(otherState));
    expect(report.listings.backend.some((p) => p.includes(other.name))).toBe(false);
    expect(report.writes).toMatchObject({ "own copy dir": "ok" });
    expect(report.writes["data dir"]).not.toBe("ok");
    expect(report.writes["own tree"]).not.toBe("ok");
    expect(existsSync(path.join(dataDir, "planted"))).toBe(false);
    // What it wrote in its own copy dir is there for its copy.
    expect(existsSync(path.join(dataDir, "copies", probe.name, "probe.txt"))).toBe(true);
    if (sandbox.kind === "own-uid") expect(report.uid).toBe(61_000);
  });
});

describe("serve where no sandbox can be had", () => {
  let work: string;
  let server: EmbeddedServer;

  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("starts, says so once with the reason, and deploys with the allow-listed environment", async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-nosandbox-"));
    const repo = createFixtureRepository(path.join(work, "repo"));
    // An unshare that does not exist stands for a kernel or a container that forbids namespaces.
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [{ name: "acme/api", localPath: repo.dir }],
      env: { STACKFORK_UNSHARE: path.join(work, "no-such-unshare") },
    });
    const sha = repo.commit("feature/plain", "plain");
    const accepted = await server.deliver("push", pushPayload("acme/api", "feature/plain", sha));
    expect(accepted.status).toBe(202);
    const id = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    const env = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed", 180_000);
    expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
    const warnings = server.output
      .join("")
      .split("\n")
      .filter((line) => line.includes('"sandbox":"none"'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] as string)).toMatchObject({ level: 40, sandbox: "none" });
  });
});

// The same probe on the AWS adapters (the emulator): its state in S3, its secrets in KMS, so the job
// needs AWS, and gets the deployer role's session, never the platform's keys.
describe("a branch's program on the AWS adapters", () => {
  let work: string;
  let server: EmbeddedServer;
  let aws: Awaited<ReturnType<typeof createAwsStackforkEnv>>;

  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    aws?.clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("acts as the deployer role assumed for its environment, and its keys stay out of the engine log", async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-probe-aws-"));
    const repo = createFixtureRepository(path.join(work, "repo"));
    cpSync(probeSource, path.join(repo.dir, "stacks/probe"), { recursive: true });
    repo.addAll("the probe");
    aws = await createAwsStackforkEnv("probe");
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [{ name: "acme/probe", localPath: repo.dir, stackPath: "stacks/probe" }],
      env: { ...aws.env, OPERATOR_NOTE: CANARY },
    });
    const sha = repo.commit("feature/probe", "probe");
    const accepted = await server.deliver("push", pushPayload("acme/probe", "feature/probe", sha));
    expect(accepted.status).toBe(202);
    const id = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    const env = await server.waitFor(id, (e) => e.status === "ready" || e.status === "failed", 180_000);
    expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
    const report = JSON.parse(String(env.outputs?.report)) as ProbeReport & { identity?: string };

    expect(report.identity).toMatch(new RegExp(`:assumed-role/${aws.prefix}-deployer/`));
    expect(report.identity).toContain(env.name.slice(0, 20));
    expect(report.env.AWS_ACCESS_KEY_ID).toBeDefined();
    expect(report.env.AWS_ACCESS_KEY_ID).not.toBe(process.env.AWS_ACCESS_KEY_ID);
    expect(Object.values(report.env).join("\n")).not.toContain(CANARY);
    for (const [what, outcome] of Object.entries(report.reads)) expect(outcome, what).not.toBe("ok");

    // Its stack's data key is encrypted under its own environment's KMS encryption context.
    const key = (await listObjectKeys(aws.clients.s3, aws.bucket, ".pulumi/stacks/")).find((k) =>
      k.endsWith(`/${env.name}.json`),
    );
    const state = JSON.parse(
      (await (
        await aws.clients.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }))
      ).Body?.transformToString()) ?? "{}",
    ) as { checkpoint: { latest: { secrets_providers?: { state?: { url?: string } } } } };
    expect(state.checkpoint.latest.secrets_providers?.state?.url).toContain(`context_environment=${env.name}`);

    const logs = (await (await fetch(`${server.baseUrl}/api/environments/${encodeURIComponent(id)}/logs`)).json()) as {
      lines: { text: string }[];
    };
    const probeLine = logs.lines.map((l) => l.text).find((text) => text.includes("probe: secret key"));
    expect(probeLine).toContain("[secret]");
    expect(logs.lines.map((l) => l.text).join("\n")).not.toContain(report.env.AWS_SECRET_ACCESS_KEY);
  });
});
