// Lifecycle benchmarks of the embedded server (DESIGN.md, "Measured, not assumed"):
// time to preview against a direct `pulumi up` of the same program, a no-op redeploy, a burst of
// pushes to one branch, and fan-out of N branches at once against N in a row.
// Run: npm run bench:lifecycle   (prints a Markdown section for BENCHMARKS.md)
//      WARM_RUNNERS=0 npm run bench:lifecycle   (every job starts its own runner process)
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { openStack } from "../provisioner/open-stack.ts";
import { requirePulumiCli } from "../provisioner/pulumi-cli.ts";
import { startEmbeddedServer } from "../test/support/embedded-server.ts";
import { createFixtureRepository } from "../test/support/fixture-repository.ts";
import { stopProcessesMentioning } from "../test/support/stack-state.ts";
import { pushPayload } from "../test/support/webhook-deliveries.ts";
import { formatSeconds, median } from "./summarize-times.ts";

const REPO = "acme/bench";
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const FAN_OUT = Number(process.env.FAN_OUT ?? 4);
const WARM_RUNNERS = Number(process.env.WARM_RUNNERS ?? 1);

const work = mkdtempSync(path.join(tmpdir(), "stackfork-bench-"));
const repo = createFixtureRepository(path.join(work, "repo"));
const dataDir = path.join(work, "data");
const server = await startEmbeddedServer({
  dataDir,
  repositories: [{ name: REPO, localPath: repo.dir }],
  extraConfig: { concurrency: 2, warmRunners: WARM_RUNNERS },
});
const idOf = (body: Record<string, unknown>) => (body.queued as { environment: string }[])[0]?.environment as string;

async function timeToReady(branch: string, sha: string): Promise<number> {
  const started = performance.now();
  const { body } = await server.deliver("push", pushPayload(REPO, branch, sha));
  await server.waitFor(idOf(body), (e) => e.status === "ready" && e.commitSha === sha, 300_000);
  return performance.now() - started;
}

try {
  const rows: string[] = [];
  // 1. Time to preview, platform vs a direct `pulumi up` of the same program and config.
  const platform: number[] = [];
  const direct: number[] = [];
  // The direct run imports the same checkout's program, with the platform's modules (as copies get them).
  symlinkSync(path.resolve(import.meta.dirname, "../node_modules"), path.join(repo.dir, "node_modules"), "dir");
  const program = (await import(pathToFileURL(path.join(repo.dir, "stacks/service/index.ts")).href))
    .default as PulumiFn;
  const engine = {
    cli: requirePulumiCli(process.env),
    stateDir: path.join(work, "direct"),
    passphrase: "bench",
    searchPath: process.env.PATH ?? "",
  };
  for (let i = 0; i < ROUNDS; i++) {
    const branch = `preview-${i}`;
    const sha = repo.commit(branch, `preview ${i}`);
    platform.push(await timeToReady(branch, sha));

    const copyDir = path.join(work, "direct-copies", `direct-${i}`);
    mkdirSync(copyDir, { recursive: true });
    const started = performance.now();
    const stack = await openStack(engine, { projectName: "bench", stackName: `direct-${i}`, program });
    await stack.setAllConfig({
      "stackfork:environment": { value: `direct-${i}` },
      "stackfork:repository": { value: REPO },
      "stackfork:branch": { value: branch },
      "stackfork:commit": { value: sha },
      "stackfork:target": { value: "local" },
      "stackfork:dataDir": { value: copyDir },
    });
    await stack.up();
    direct.push(performance.now() - started);
    // Reopened: openStack recreates the work dir, should anything have removed it meanwhile.
    await (await openStack(engine, { projectName: "bench", stackName: `direct-${i}`, program })).destroy();
  }
  const p = median(platform);
  const d = median(direct);
  rows.push(
    `| time to preview (push -> ready), median of ${ROUNDS} | ${formatSeconds(p)} | direct \`pulumi up\`: ${formatSeconds(d)} | ${(p / d).toFixed(2)}x |`,
  );

  // 2. No-op redeploy: the same SHA again (a new delivery).
  const noopSha = repo.commit("noop", "noop");
  await timeToReady("noop", noopSha);
  const noop = await timeToReady("noop", noopSha);
  rows.push(`| no-op redeploy of an unchanged SHA | ${formatSeconds(noop)} | | |`);

  // 3. Burst: 20 pushes to one branch within 2 s.
  const shas = Array.from({ length: 20 }, (_, i) => repo.commit("burst", `burst ${i}`));
  let burstId = "";
  const burstStart = performance.now();
  for (const sha of shas) {
    const { body } = await server.deliver("push", pushPayload(REPO, "burst", sha));
    burstId ||= idOf(body);
    await new Promise((resolve) => setTimeout(resolve, 90));
  }
  const sent = performance.now() - burstStart;
  const last = shas.at(-1) as string;
  const burst = await server.waitFor(burstId, (e) => e.status === "ready" && e.commitSha === last, 300_000);
  const runs = burst.events.filter((e) => e.type === "deploy_started").length;
  rows.push(
    `| burst: 20 pushes in ${formatSeconds(sent)} | engine runs: ${runs} | final SHA is the last: ${burst.commitSha === last} | |`,
  );

  // 4. Fan-out: N branches at once against N in a row.
  const fan = Array.from({ length: FAN_OUT }, (_, i) => ({
    branch: `fan-${i}`,
    sha: repo.commit(`fan-${i}`, `fan ${i}`),
  }));
  const parallelStart = performance.now();
  await Promise.all(fan.map(({ branch, sha }) => timeToReady(branch, sha)));
  const parallel = performance.now() - parallelStart;
  const rowShas = fan.map(({ branch }) => ({ branch: `row-${branch}`, sha: repo.commit(`row-${branch}`, "row") }));
  const serialStart = performance.now();
  for (const { branch, sha } of rowShas) await timeToReady(branch, sha);
  const serial = performance.now() - serialStart;
  rows.push(
    `| fan-out: ${FAN_OUT} branches at once (concurrency 2) | ${formatSeconds(parallel)} | ${FAN_OUT} in a row: ${formatSeconds(serial)} | ${(serial / parallel).toFixed(2)}x faster |`,
  );

  console.log(`### Lifecycle (embedded, target local)\n`);
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}. Command: \`WARM_RUNNERS=${WARM_RUNNERS} npm run bench:lifecycle\`.\n`,
  );
  console.log("| measure | result | against | ratio |\n|---|---|---|---|");
  console.log(rows.join("\n"));
} finally {
  await server.stop();
  stopProcessesMentioning(work);
  rmSync(work, { recursive: true, force: true });
}
