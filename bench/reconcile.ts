import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createGitHubClient } from "../github/create-github-client.ts";
import { createSqliteJobQueue } from "../queue/sqlite-job-queue.ts";
import { reconcileWithGitHub } from "../reconciliation/reconcile-with-github.ts";
import { createSqliteReconciliationStore } from "../reconciliation/sqlite-reconciliation-store.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

/**
 * One reconciliation with GitHub of many repositories (BENCHMARKS.md), against the GitHub API double
 * on loopback: `--repositories` repositories with `--branches` branches and `--pulls` open pull
 * requests each, one ready environment per pull request's branch (at its head). Three runs: the
 * first (nothing cached: full reads, the baseline), one with nothing changed (goal: every request a
 * conditional one answered 304), and one with 1% of the branches moved (half with an environment:
 * missed pushes; half without: new since the baseline). Real SQLite registry, queue and store.
 *
 *   npm run bench:reconcile -- [--repositories 50] [--branches 200] [--pulls 50]
 */
const { values } = parseArgs({
  options: {
    repositories: { type: "string", default: "50" },
    branches: { type: "string", default: "200" },
    pulls: { type: "string", default: "50" },
  },
});
const repositoryCount = Number(values.repositories);
const branchCount = Number(values.branches);
const pullCount = Number(values.pulls);
const TOKEN = "ghp_bench";
const sha = (n: number) => n.toString(16).padStart(40, "0");

const dir = mkdtempSync(path.join(tmpdir(), "stackfork-bench-reconcile-"));
const github = await startGitHubApiDouble({ tokens: [TOKEN] });
const registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
const queue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
const store = createSqliteReconciliationStore({ file: path.join(dir, "reconciliation.db") });
const seededAt = new Date(Date.now() - 3_600_000);

const repositories: RepositoryConfig[] = [];
let next = 1;
for (let r = 0; r < repositoryCount; r++) {
  const name = `acme/service-${r}`;
  repositories.push({ name, stackPath: "stacks/service", defaultBranch: "main", target: "local", ttlHours: 72 });
  github.addRepository(name);
  github.setBranch(name, "main", sha(next++));
  // `main` is one of the branches.
  for (let b = 0; b < branchCount - 1; b++) {
    const branch = `feature/${String(b).padStart(4, "0")}`;
    const head = sha(next++);
    github.setBranch(name, branch, head);
    if (b < pullCount) {
      github.addPullRequest(name, b + 1, { head: branch });
      const env = await seedEnvironment(registry, { kind: "branch", repository: name, branch }, "ready", seededAt, {
        commitSha: head,
      });
      await registry.updateEnvironment(env.id, { pullRequest: b + 1 }, seededAt);
    }
  }
}

const deps = {
  registry,
  queue,
  nameMaxLength: 40,
  github: createGitHubClient({
    auth: { token: TOKEN },
    baseUrl: github.baseUrl,
    log: pino({ level: "silent" }),
    writeIntervalMs: 0,
  }),
  store,
  repositories,
  log: pino({ level: "silent" }),
  now: () => new Date(),
};

async function measure(label: string) {
  github.requests.length = 0;
  const started = performance.now();
  const report = await reconcileWithGitHub(deps);
  const ms = performance.now() - started;
  const statuses = new Map<number, number>();
  for (const r of github.requests) statuses.set(r.status ?? 0, (statuses.get(r.status ?? 0) ?? 0) + 1);
  const conditional = github.requests.filter((r) => r.ifNoneMatch !== undefined).length;
  const changes = report.repositories.flatMap((r) => r.changes);
  const kinds = new Map<string, number>();
  for (const c of changes) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
  console.log(
    `${label.padEnd(24)} ${String(github.requests.length).padStart(5)} requests (${conditional} conditional; by status ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(", ")})  ${ms.toFixed(0).padStart(6)} ms  decisions: ${changes.length}${kinds.size ? ` (${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")})` : ""}`,
  );
}

console.log(
  `reconcile: ${repositoryCount} repositories x ${branchCount} branches + ${pullCount} open pull requests (${repositoryCount * pullCount} environments), per_page 100; ${availableParallelism()} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
);
await measure("first (nothing cached)");
await measure("nothing changed");
await measure("nothing changed, again");
// 1% of the branches move: half of them have an environment, half do not.
const moved = Math.max(1, Math.round(branchCount / 100));
for (const repository of repositories) {
  for (let i = 0; i < moved; i++) {
    const b = i % 2 === 0 ? i : pullCount + i; // with an environment, then without
    github.setBranch(repository.name, `feature/${String(b).padStart(4, "0")}`, sha(next++));
  }
}
await measure(`1% of branches changed`);

await github.close();
await store.close();
await queue.close();
await registry.close();
rmSync(dir, { recursive: true, force: true });
