// What the runner's isolation costs (issue 15): time to preview (push -> ready) with the sandbox
// and the allow-listed environment, against without it, in the same run, rounds interleaved.
// Without a sandbox a runner can be started ahead of its job (warmRunners, the default 1); a
// sandboxed runner is started in its job's view, so both are shown: against warm and against cold.
// Run: npm run bench:sandbox   (ROUNDS=5 by default; prints a Markdown section for BENCHMARKS.md)
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { type EmbeddedServer, startEmbeddedServer } from "../test/support/embedded-server.ts";
import { createFixtureRepository } from "../test/support/fixture-repository.ts";
import { stopProcessesMentioning } from "../test/support/stack-state.ts";
import { pushPayload } from "../test/support/webhook-deliveries.ts";
import { formatSeconds, median } from "./summarize-times.ts";

const REPO = "acme/bench";
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const work = mkdtempSync(path.join(tmpdir(), "stackfork-bench-sandbox-"));
const repo = createFixtureRepository(path.join(work, "repo"));
const variants = [
  { name: "sandbox (auto)", env: { STACKFORK_SANDBOX: "auto" }, warmRunners: 1 },
  { name: "no sandbox, warm runner", env: { STACKFORK_SANDBOX: "off" }, warmRunners: 1 },
  { name: "no sandbox, cold runner", env: { STACKFORK_SANDBOX: "off" }, warmRunners: 0 },
];
const servers: EmbeddedServer[] = [];
try {
  for (const [i, variant] of variants.entries()) {
    servers.push(
      await startEmbeddedServer({
        dataDir: path.join(work, `data-${i}`),
        repositories: [{ name: REPO, localPath: repo.dir }],
        extraConfig: { concurrency: 1, warmRunners: variant.warmRunners },
        env: variant.env,
      }),
    );
  }
  const times: number[][] = variants.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, server] of servers.entries()) {
      const branch = `preview-${round}-${i}`;
      const sha = repo.commit(branch, `preview ${round} ${i}`);
      const started = performance.now();
      const { body } = await server.deliver("push", pushPayload(REPO, branch, sha));
      const id = (body.queued as { environment: string }[])[0]?.environment as string;
      const env = await server.waitFor(
        id,
        (e) => (e.status === "ready" && e.commitSha === sha) || e.status === "failed",
        300_000,
      );
      if (env.status !== "ready") throw new Error(`${variants[i]?.name}: ${JSON.stringify(env.lastError)}`);
      (times[i] as number[]).push(performance.now() - started);
    }
  }
  const medians = times.map(median);
  const sandboxed = medians[0] as number;
  console.log("### Sandbox: time to preview with and without the runner's isolation\n");
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, running as uid ${process.getuid?.()}. Command: \`ROUNDS=${ROUNDS} npm run bench:sandbox\`; one server per variant, rounds interleaved, one job at a time.\n`,
  );
  console.log(`| variant | time to preview, median of ${ROUNDS} | all runs | sandbox added |\n|---|---|---|---|`);
  for (const [i, variant] of variants.entries()) {
    const added =
      i === 0 ? "" : `${(((sandboxed - (medians[i] as number)) / (medians[i] as number)) * 100).toFixed(1)}%`;
    console.log(
      `| ${variant.name} | ${formatSeconds(medians[i] as number)} | ${(times[i] as number[]).map(formatSeconds).join(", ")} | ${added} |`,
    );
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  stopProcessesMentioning(work);
  rmSync(work, { recursive: true, force: true });
}
