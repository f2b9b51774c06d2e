// What a copy of production costs (issue 19): time to preview (push -> ready) of a repository whose
// copies start from a template stack of 50 keys (10 secret) and run a seed of 1,000 items (a seed
// command POSTing them through the copy's URL, or an items file loaded into its table), against the
// same repository with neither, in the same run, rounds interleaved, one job at a time.
// Run: npm run bench:copy-config   (ROUNDS=3 by default; prints a Markdown section for BENCHMARKS.md)
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { openStack } from "../provisioner/open-stack.ts";
import { requirePulumiCli } from "../provisioner/pulumi-cli.ts";
import { stackPassphraseOf } from "../provisioner/stack-paths.ts";
import { type EmbeddedServer, startEmbeddedServer } from "../test/support/embedded-server.ts";
import { createFixtureRepository } from "../test/support/fixture-repository.ts";
import { stopProcessesMentioning } from "../test/support/stack-state.ts";
import { pushPayload } from "../test/support/webhook-deliveries.ts";
import { formatSeconds, median } from "./summarize-times.ts";

const REPO = "acme/bench";
const PROJECT = "acme-bench";
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** embedded-server.ts gives every server this platform passphrase. */
const PLATFORM_PASSPHRASE = "e2e-passphrase";

const work = mkdtempSync(path.join(tmpdir(), "stackfork-bench-copy-config-"));
const repo = createFixtureRepository(path.join(work, "repo"));
mkdirSync(path.join(repo.dir, "scripts"), { recursive: true });
cpSync(
  path.join(import.meta.dirname, "../test/fixtures/seed-scripts/seed.mjs"),
  path.join(repo.dir, "scripts/seed.mjs"),
);
mkdirSync(path.join(repo.dir, "seed"), { recursive: true });
writeFileSync(
  path.join(repo.dir, "seed/items.ndjson"),
  `${Array.from({ length: 1000 }, (_, n) => JSON.stringify({ id: `seed-${n}`, name: `seed item ${n}` })).join("\n")}\n`,
);
repo.addAll("a seed step and seed items");

const variants = [
  { name: "no template, no seed", repository: {} },
  {
    name: "template of 50 keys (10 secret) + seed command, 1,000 items",
    repository: { template: { stack: "prod" }, seed: { command: ["node", "scripts/seed.mjs"] } },
  },
  {
    name: "template of 50 keys (10 secret) + items seed, 1,000 NDJSON items",
    repository: { template: { stack: "prod" }, seed: { items: "seed/items.ndjson", tableOutput: "tableName" } },
  },
];
const servers: EmbeddedServer[] = [];
const loadBefore = loadavg()[0] ?? 0;
try {
  for (const [i, variant] of variants.entries()) {
    const dataDir = path.join(work, `data-${i}`);
    mkdirSync(dataDir, { recursive: true });
    if ("template" in variant.repository) await createTemplateStack(path.join(dataDir, "pulumi"));
    servers.push(
      await startEmbeddedServer({
        dataDir,
        repositories: [{ name: REPO, localPath: repo.dir, ...variant.repository }],
        extraConfig: { concurrency: 1 },
      }),
    );
  }
  const times: number[][] = variants.map(() => []);
  /** The seed step alone, as history records it (seed_succeeded's duration). */
  const seedTimes: number[][] = variants.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
    for (const i of order) {
      const server = servers[i] as EmbeddedServer;
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
      const seeded = env.events.find((e) => e.type === "seed_succeeded");
      if (i > 0 && !seeded) throw new Error("the seed did not run");
      (times[i] as number[]).push(performance.now() - started);
      if (seeded?.durationMs !== undefined) (seedTimes[i] as number[]).push(seeded.durationMs);
    }
  }
  const medians = times.map(median);
  const base = medians[0] as number;
  console.log("### Copy of production: time to preview with a template and a seed, and without\n");
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after. Command: \`ROUNDS=${ROUNDS} npm run bench:copy-config\`; one \`stackfork serve\` per variant (sandbox auto), rounds interleaved, one job at a time; local target.\n`,
  );
  console.log(`| variant | time to preview, median of ${ROUNDS} | all runs | added |\n|---|---|---|---|`);
  for (const [i, variant] of variants.entries()) {
    const m = medians[i] as number;
    const added =
      i === 0
        ? ""
        : `${m >= base ? "+" : "-"}${formatSeconds(Math.abs(m - base))} (${(((m - base) / base) * 100).toFixed(0)}%)`;
    console.log(
      `| ${variant.name} | ${formatSeconds(m)} | ${(times[i] as number[]).map(formatSeconds).join(", ")} | ${added} |`,
    );
  }
  for (const [i, variant] of variants.entries()) {
    if (i === 0) continue;
    const seeds = seedTimes[i] as number[];
    console.log(
      `\n${variant.name}: the seed step alone (history's seed_succeeded) median ${formatSeconds(median(seeds))}, all ${seeds.map(formatSeconds).join(", ")}.`,
    );
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  stopProcessesMentioning(work);
  rmSync(work, { recursive: true, force: true });
}

/** Production's template stack in the server's backend, as stackfork lays out stacks: 40 plain keys, 10 secret. */
async function createTemplateStack(stateDir: string): Promise<void> {
  const stack = await openStack(
    {
      cli: requirePulumiCli(process.env),
      stateDir,
      passphrase: stackPassphraseOf(PLATFORM_PASSPHRASE, PROJECT, "prod"),
      searchPath: process.env.PATH ?? "",
    },
    { projectName: PROJECT, stackName: "prod", program: async () => {} },
  );
  const config = Object.fromEntries(
    Array.from({ length: 50 }, (_, n) => [
      `${PROJECT}:key${String(n).padStart(2, "0")}`,
      n < 10 ? { value: `secret-value-${n}-${"x".repeat(24)}`, secret: true } : { value: `plain value ${n}` },
    ]),
  );
  await stack.setAllConfig(config);
}
