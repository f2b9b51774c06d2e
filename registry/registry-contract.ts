import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Environment, EnvironmentIdentity, EnvironmentStatus } from "../core/environment.ts";
import { ENVIRONMENT_NAME_MAX_LENGTH } from "../core/environment-name.ts";
import type { ErrorCode } from "../core/errors.ts";
import { isStackforkError } from "../core/errors.ts";
import { DELIVERY_ABANDONED_AFTER_MS, type Registry } from "./registry.ts";

export interface RegistryContractOptions {
  /** The `maxLogLinesPerJob` of the registries `makeRegistry` returns. @default 2000 */
  maxLogLinesPerJob?: number;
  /** A second registry on the storage of the one `makeRegistry` returned last (its file, its table). */
  reopen: () => Promise<Registry>;
}

const t0 = new Date("2030-01-01T00:00:00.000Z");
/** A fixed instant `seconds` after t0: tests never read the clock. */
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const branch = (name: string, repository = "acme/api"): EnvironmentIdentity => ({
  kind: "branch",
  repository,
  branch: name,
});
const validName = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The behaviour every Registry adapter shares, tested through the port only. `makeRegistry` returns
 * a new, empty registry for every test; the suite closes it.
 */
export function describeRegistryContract(
  name: string,
  makeRegistry: () => Promise<Registry>,
  options: RegistryContractOptions,
): void {
  const maxLogLinesPerJob = options.maxLogLinesPerJob ?? 2000;

  describe(`Registry contract: ${name}`, () => {
    let registry: Registry;
    beforeEach(async () => {
      registry = await makeRegistry();
    });
    afterEach(async () => {
      await registry.close();
    });

    /** Walks an environment through legal transitions to `status`. */
    async function ensureWithStatus(
      identity: EnvironmentIdentity,
      status: EnvironmentStatus,
      now: Date,
    ): Promise<Environment> {
      const env = await registry.ensureEnvironment(identity, { status: "queued", now });
      const paths: Record<EnvironmentStatus, EnvironmentStatus[]> = {
        queued: [],
        awaiting_approval: ["awaiting_approval"],
        deploying: ["deploying"],
        ready: ["deploying", "ready"],
        failed: ["deploying", "failed"],
        destroying: ["destroying"],
        destroyed: ["destroying", "destroyed"],
      };
      let current = env;
      for (const next of paths[status]) current = await registry.updateEnvironment(env.id, { status: next }, now);
      return current;
    }

    it("keeps environments, history, logs, counts and deliveries for a registry opened again on its storage", async () => {
      const env = await registry.ensureEnvironment(branch("durable"), { status: "queued", now: at(0) });
      const ready = await registry.updateEnvironment(env.id, { status: "deploying", commitSha: "c".repeat(40) }, at(1));
      const event = await registry.appendEvent({
        environmentId: env.id,
        at: at(2).toISOString(),
        type: "deploy_started",
        message: "up",
        jobId: "job-1",
      });
      await registry.appendLog(env.id, "job-1", ["one", "two"], at(3));
      await registry.rememberDelivery("delivery-1", at(4));
      await registry.close();

      registry = await options.reopen();
      expect(await registry.getEnvironment(env.id)).toStrictEqual(ready);
      expect(await registry.findEnvironment(branch("durable"))).toStrictEqual(ready);
      expect(await registry.listEvents(env.id)).toStrictEqual([event]);
      expect(await registry.countByStatus()).toEqual({ deploying: 1 });
      expect((await registry.readLog(env.id)).map((l) => [l.seq, l.text])).toEqual([
        [1, "one"],
        [2, "two"],
      ]);
      expect(await registry.rememberDelivery("delivery-1", at(5))).toBe("replayed");
      await registry.appendLog(env.id, "job-1", ["three"], at(6));
      expect((await registry.readLog(env.id, { afterSeq: 2 })).map((l) => l.seq)).toEqual([3]);
    });

    describe("environments", () => {
      it("creates an environment with exactly the Environment JSON fields, and returns it again for the same identity", async () => {
        const created = await registry.ensureEnvironment(branch("feature-login"), { status: "queued", now: at(0) });
        expect(created).toStrictEqual({
          id: created.name,
          name: "api-feature-login",
          kind: "branch",
          repository: "acme/api",
          branch: "feature-login",
          status: "queued",
          createdAt: at(0).toISOString(),
          updatedAt: at(0).toISOString(),
        });
        const again = await registry.ensureEnvironment(branch("feature-login"), { status: "deploying", now: at(5) });
        expect(again).toStrictEqual(created);
        expect(await registry.getEnvironment(created.id)).toStrictEqual(created);
        expect(await registry.findEnvironment(branch("feature-login"))).toStrictEqual(created);
      });

      it("keeps the pull request number and the sandbox owner of their kinds", async () => {
        const pr = await registry.ensureEnvironment(
          { kind: "pull_request", repository: "acme/api", pullRequest: 42, branch: "fork-fix" },
          { status: "awaiting_approval", now: at(0) },
        );
        expect(pr).toMatchObject({
          kind: "pull_request",
          pullRequest: 42,
          branch: "fork-fix",
          status: "awaiting_approval",
        });
        expect(pr).not.toHaveProperty("owner");
        const sandbox = await registry.ensureEnvironment(
          { kind: "sandbox", repository: "acme/api", owner: "Octocat", branch: "main" },
          { status: "queued", now: at(0) },
        );
        expect(sandbox).toMatchObject({ kind: "sandbox", owner: "Octocat", branch: "main" });
        expect(sandbox).not.toHaveProperty("pullRequest");
        expect(sandbox.name).not.toBe(pr.name);
      });

      it("treats the repository name case-insensitively in an identity", async () => {
        const lower = await registry.ensureEnvironment(branch("main-2", "acme/api"), { status: "queued", now: at(0) });
        const upper = await registry.ensureEnvironment(branch("main-2", "ACME/Api"), { status: "queued", now: at(1) });
        expect(upper.id).toBe(lower.id);
      });

      it("returns undefined for an unknown id or identity", async () => {
        expect(await registry.getEnvironment("nope")).toBeUndefined();
        expect(await registry.findEnvironment(branch("nope"))).toBeUndefined();
      });

      it("gives colliding identities (feature/a_b and feature-a-b) distinct valid names", async () => {
        const slashed = await registry.ensureEnvironment(branch("feature/a_b"), { status: "queued", now: at(0) });
        const dashed = await registry.ensureEnvironment(branch("feature-a-b"), { status: "queued", now: at(1) });
        expect(slashed.name).not.toBe(dashed.name);
        for (const env of [slashed, dashed]) {
          expect(env.name).toMatch(validName);
          expect(env.name.length).toBeLessThanOrEqual(ENVIRONMENT_NAME_MAX_LENGTH);
        }
        expect((await registry.findEnvironment(branch("feature/a_b")))?.id).toBe(slashed.id);
        expect((await registry.findEnvironment(branch("feature-a-b")))?.id).toBe(dashed.id);
      });

      it("hashes the name when the plain name is already another identity's", async () => {
        const first = await registry.ensureEnvironment(branch("feature/a_b"), { status: "queued", now: at(0) });
        // A branch spelled exactly like the first one's hashed name slugs to that very name.
        const lookalike = first.name.replace(/^api-/, "");
        const second = await registry.ensureEnvironment(branch(lookalike), { status: "queued", now: at(1) });
        expect(second.name).not.toBe(first.name);
        expect(second.name).toMatch(validName);
        expect(second.branch).toBe(lookalike);
      });

      it("respects nameMaxLength", async () => {
        const env = await registry.ensureEnvironment(branch("a-rather-long-branch-name-for-a-short-limit"), {
          status: "queued",
          now: at(0),
          nameMaxLength: 20,
        });
        expect(env.name.length).toBeLessThanOrEqual(20);
        expect(env.name).toMatch(validName);
      });

      it("stores a 200-character branch with slashes, quotes and unicode exactly", async () => {
        const piece = `feature/ünïcödé-'single'-"double"/日本語/🚀/back\\slash/`;
        const long = Array.from(piece.repeat(10)).slice(0, 200).join("");
        expect(Array.from(long)).toHaveLength(200);
        const env = await registry.ensureEnvironment(branch(long), { status: "queued", now: at(0) });
        expect(env.branch).toBe(long);
        expect(env.name).toMatch(validName);
        expect(env.name.length).toBeLessThanOrEqual(ENVIRONMENT_NAME_MAX_LENGTH);
        expect(await registry.findEnvironment(branch(long))).toStrictEqual(env);
        expect(await registry.getEnvironment(env.id)).toStrictEqual(env);
        const found = await registry.listEnvironments({ search: `'SINGLE'-"DOUBLE"/日本語` });
        expect(found.environments.map((e) => e.id)).toEqual([env.id]);
      });
    });

    describe("updateEnvironment", () => {
      it("sets fields, clears them with null, leaves undefined ones alone, and stamps updatedAt", async () => {
        const env = await registry.ensureEnvironment(branch("feature-x"), { status: "queued", now: at(0) });
        const deploying = await registry.updateEnvironment(
          env.id,
          { status: "deploying", commitSha: "a".repeat(40) },
          at(10),
        );
        const ready = await registry.updateEnvironment(
          env.id,
          {
            status: "ready",
            url: "http://127.0.0.1:4001",
            expiresAt: at(3600).toISOString(),
            lastDeployMs: 12_345,
            pullRequest: 7,
            lastError: { code: "DEPLOY_FAILED", message: "boom" },
            outputs: { url: "http://127.0.0.1:4001", tableName: "api-items", apiKey: "[secret]", port: 4001 },
          },
          at(20),
        );
        expect(deploying.commitSha).toBe("a".repeat(40));
        expect(ready).toStrictEqual({
          ...env,
          status: "ready",
          pullRequest: 7,
          url: "http://127.0.0.1:4001",
          commitSha: "a".repeat(40),
          updatedAt: at(20).toISOString(),
          expiresAt: at(3600).toISOString(),
          lastError: { code: "DEPLOY_FAILED", message: "boom" },
          lastDeployMs: 12_345,
          outputs: { url: "http://127.0.0.1:4001", tableName: "api-items", apiKey: "[secret]", port: 4001 },
        });
        const cleared = await registry.updateEnvironment(
          env.id,
          { url: null, lastError: null, expiresAt: null, pullRequest: null, outputs: null },
          at(30),
        );
        expect(cleared).toStrictEqual({
          ...env,
          status: "ready",
          commitSha: "a".repeat(40),
          updatedAt: at(30).toISOString(),
          lastDeployMs: 12_345,
        });
        expect(Object.values(cleared)).not.toContain(null);
        expect(await registry.getEnvironment(env.id)).toStrictEqual(cleared);
      });

      it("rejects an illegal transition with INVALID_TRANSITION and changes nothing", async () => {
        const ready = await ensureWithStatus(branch("feature-y"), "ready", at(0));
        const before = await registry.updateEnvironment(ready.id, { url: "http://before" }, at(1));
        // ready -> destroyed skips destroying.
        const error = await registry
          .updateEnvironment(before.id, { status: "destroyed", url: null }, at(2))
          .catch((e: unknown) => e);
        expect(codeOf(error)).toBe("INVALID_TRANSITION");
        expect(await registry.getEnvironment(before.id)).toStrictEqual(before);
      });

      it("lets a sandbox's branch (its ref) change, and no other kind's", async () => {
        const sandbox = await registry.ensureEnvironment(
          { kind: "sandbox", repository: "acme/api", owner: "octocat", branch: "main" },
          { status: "queued", now: at(0) },
        );
        const moved = await registry.updateEnvironment(sandbox.id, { branch: "feature/x" }, at(1));
        expect(moved.branch).toBe("feature/x");
        expect((await registry.listEnvironments({ search: "feature/x" })).environments.map((e) => e.id)).toEqual([
          sandbox.id,
        ]);
        const other = await ensureWithStatus(branch("feature-z"), "ready", at(0));
        const error = await registry
          .updateEnvironment(other.id, { branch: "elsewhere" }, at(1))
          .catch((e: unknown) => e);
        expect(codeOf(error)).toBe("INVALID_INPUT");
      });

      it("rejects a change of an unknown environment with NOT_FOUND", async () => {
        const error = await registry.updateEnvironment("nope", { url: "http://x" }, at(0)).catch((e: unknown) => e);
        expect(codeOf(error)).toBe("NOT_FOUND");
      });
    });

    describe("listEnvironments", () => {
      it("lists newest first by updatedAt, then id, and hides destroyed ones unless asked", async () => {
        const a = await ensureWithStatus(branch("aaa"), "ready", at(1));
        const b = await ensureWithStatus(branch("bbb"), "ready", at(2));
        const c = await ensureWithStatus(branch("ccc"), "ready", at(2));
        const gone = await ensureWithStatus(branch("gone"), "destroyed", at(3));
        await registry.updateEnvironment(a.id, { url: "http://a" }, at(4));
        const ids = async (query = {}) => (await registry.listEnvironments(query)).environments.map((e) => e.id);
        // Same updatedAt: the greater id first.
        expect(await ids()).toEqual([a.id, c.id, b.id]);
        expect(await ids({ includeDestroyed: true })).toEqual([a.id, gone.id, c.id, b.id]);
        expect(await ids({ status: "destroyed" })).toEqual([gone.id]);
      });

      it("filters by status, kind, repository, owner and search", async () => {
        const ready = await ensureWithStatus(branch("feature-one"), "ready", at(1));
        const failed = await ensureWithStatus(branch("feature-two", "acme/Web"), "failed", at(2));
        const sandbox = await registry.ensureEnvironment(
          { kind: "sandbox", repository: "acme/api", owner: "Octocat", branch: "main" },
          { status: "queued", now: at(3) },
        );
        const pr = await registry.ensureEnvironment(
          { kind: "pull_request", repository: "acme/api", pullRequest: 9, branch: "Fork-Branch" },
          { status: "awaiting_approval", now: at(4) },
        );
        const ids = async (query = {}) => (await registry.listEnvironments(query)).environments.map((e) => e.id);
        expect(await ids({ status: "ready" })).toEqual([ready.id]);
        expect(await ids({ kind: "sandbox" })).toEqual([sandbox.id]);
        expect(await ids({ kind: "pull_request" })).toEqual([pr.id]);
        expect(await ids({ repository: "acme/web" })).toEqual([failed.id]);
        expect(await ids({ repository: "acme/api", kind: "branch" })).toEqual([ready.id]);
        expect(await ids({ owner: "octocat" })).toEqual([sandbox.id]);
        expect(await ids({ search: "FEATURE" })).toEqual([failed.id, ready.id]);
        expect(await ids({ search: "fork-branch" })).toEqual([pr.id]);
        expect(await ids({ search: "ACME/WEB" })).toEqual([failed.id]);
        expect(await ids({ search: ready.name })).toEqual([ready.id]);
        // Plain characters, not wildcards.
        expect(await ids({ search: "%" })).toEqual([]);
        expect(await ids({ search: "feature_one" })).toEqual([]);
      });

      it("returns every row exactly once across pages, in order", async () => {
        const created: Environment[] = [];
        // Three environments per second: ties on updatedAt must be broken the same way on every page.
        for (let i = 0; i < 23; i++)
          created.push(
            await registry.ensureEnvironment(branch(`b-${i}`), { status: "queued", now: at(Math.floor(i / 3)) }),
          );
        await ensureWithStatus(branch("gone"), "destroyed", at(100));
        const expected = [...created]
          .sort((x, y) => (x.updatedAt === y.updatedAt ? (x.id < y.id ? 1 : -1) : x.updatedAt < y.updatedAt ? 1 : -1))
          .map((e) => e.id);

        for (const limit of [1, 5, 7, 23, 100]) {
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 100; pages++) {
            const page = await registry.listEnvironments({ limit, cursor });
            expect(page.environments.length).toBeLessThanOrEqual(limit);
            seen.push(...page.environments.map((e) => e.id));
            cursor = page.nextCursor;
            if (cursor === undefined) break;
          }
          expect(cursor).toBeUndefined();
          expect(seen).toEqual(expected);
        }
      });

      it("keeps filters across pages", async () => {
        for (let i = 0; i < 6; i++) await ensureWithStatus(branch(`r-${i}`), i % 2 === 0 ? "ready" : "failed", at(i));
        const first = await registry.listEnvironments({ status: "ready", limit: 2 });
        expect(first.nextCursor).toBeDefined();
        const second = await registry.listEnvironments({ status: "ready", limit: 2, cursor: first.nextCursor });
        const all = [...first.environments, ...second.environments];
        expect(all.map((e) => e.branch)).toEqual(["r-4", "r-2", "r-0"]);
        expect(second.nextCursor).toBeUndefined();
      });

      it("defaults to pages of 100", async () => {
        for (let i = 0; i < 101; i++)
          await registry.ensureEnvironment(branch(`p-${i}`), { status: "queued", now: at(i) });
        const page = await registry.listEnvironments();
        expect(page.environments).toHaveLength(100);
        expect(page.nextCursor).toBeDefined();
      });

      it("rejects a cursor it did not make, and a limit below 1, with INVALID_INPUT", async () => {
        expect(codeOf(await registry.listEnvironments({ cursor: "not a cursor" }).catch((e: unknown) => e))).toBe(
          "INVALID_INPUT",
        );
        expect(codeOf(await registry.listEnvironments({ limit: 0 }).catch((e: unknown) => e))).toBe("INVALID_INPUT");
      });

      it("counts environments by status, destroyed included", async () => {
        await ensureWithStatus(branch("one"), "ready", at(0));
        await ensureWithStatus(branch("two"), "ready", at(0));
        await ensureWithStatus(branch("three"), "destroyed", at(0));
        await ensureWithStatus(branch("four"), "queued", at(0));
        expect(await registry.countByStatus()).toEqual({ ready: 2, destroyed: 1, queued: 1 });
      });
    });

    describe("history events", () => {
      it("appends events with ids and lists them oldest first, optional fields omitted", async () => {
        const env = await registry.ensureEnvironment(branch("hist"), { status: "queued", now: at(0) });
        const other = await registry.ensureEnvironment(branch("other"), { status: "queued", now: at(0) });
        const requested = await registry.appendEvent({
          environmentId: env.id,
          at: at(1).toISOString(),
          type: "deploy_requested",
          message: "push to hist",
          actor: "octocat",
          via: "github",
          deliveryId: "d-1",
          commitSha: "b".repeat(40),
        });
        await registry.appendEvent({
          environmentId: other.id,
          at: at(2).toISOString(),
          type: "deploy_requested",
          message: "other",
        });
        const failed = await registry.appendEvent({
          environmentId: env.id,
          at: at(3).toISOString(),
          type: "deploy_failed",
          message: "the update failed",
          jobId: "job-1",
          durationMs: 1500,
          errorCode: "DEPLOY_FAILED",
        });
        expect(failed.id).toBeGreaterThan(requested.id);
        expect(requested).toStrictEqual({
          id: requested.id,
          environmentId: env.id,
          at: at(1).toISOString(),
          type: "deploy_requested",
          message: "push to hist",
          actor: "octocat",
          via: "github",
          deliveryId: "d-1",
          commitSha: "b".repeat(40),
        });
        expect(await registry.listEvents(env.id)).toStrictEqual([requested, failed]);
        expect(await registry.listEvents("nope")).toEqual([]);
      });

      it("returns the newest `limit` events, oldest first", async () => {
        const env = await registry.ensureEnvironment(branch("many"), { status: "queued", now: at(0) });
        for (let i = 0; i < 5; i++) {
          await registry.appendEvent({
            environmentId: env.id,
            at: at(i).toISOString(),
            type: "status_changed",
            message: `e${i}`,
          });
        }
        expect((await registry.listEvents(env.id, { limit: 2 })).map((e) => e.message)).toEqual(["e3", "e4"]);
      });

      it("refuses an event of an unknown environment with NOT_FOUND", async () => {
        const error = await registry
          .appendEvent({ environmentId: "nope", at: at(0).toISOString(), type: "status_changed", message: "x" })
          .catch((e: unknown) => e);
        expect(codeOf(error)).toBe("NOT_FOUND");
      });
    });

    describe("engine log", () => {
      it("numbers lines per environment and reads them by job, after a seq, and with a limit", async () => {
        const env = await registry.ensureEnvironment(branch("logs"), { status: "queued", now: at(0) });
        const other = await registry.ensureEnvironment(branch("other-logs"), { status: "queued", now: at(0) });
        await registry.appendLog(env.id, "job-1", ["one", "two", "three"], at(1));
        await registry.appendLog(other.id, "job-9", ["elsewhere"], at(1));
        await registry.appendLog(env.id, "job-2", ["four", "five"], at(2));
        await registry.appendLog(env.id, "job-1", ["six"], at(3));
        await registry.appendLog(env.id, "job-1", [], at(4));

        const all = await registry.readLog(env.id);
        expect(all.map((l) => [l.seq, l.jobId, l.text])).toEqual([
          [1, "job-1", "one"],
          [2, "job-1", "two"],
          [3, "job-1", "three"],
          [4, "job-2", "four"],
          [5, "job-2", "five"],
          [6, "job-1", "six"],
        ]);
        expect(all[0]?.at).toBe(at(1).toISOString());
        expect(all[5]?.at).toBe(at(3).toISOString());
        expect((await registry.readLog(env.id, { afterSeq: 4 })).map((l) => l.seq)).toEqual([5, 6]);
        expect((await registry.readLog(env.id, { jobId: "job-1" })).map((l) => l.seq)).toEqual([1, 2, 3, 6]);
        expect((await registry.readLog(env.id, { jobId: "job-1", afterSeq: 2, limit: 1 })).map((l) => l.seq)).toEqual([
          3,
        ]);
        expect((await registry.readLog(env.id, { limit: 2 })).map((l) => l.seq)).toEqual([1, 2]);
        expect((await registry.readLog(other.id)).map((l) => [l.seq, l.text])).toEqual([[1, "elsewhere"]]);
        expect(await registry.readLog("nope")).toEqual([]);
      });

      it(`keeps ${maxLogLinesPerJob} lines per job, then exactly one marker line`, async () => {
        const env = await registry.ensureEnvironment(branch("chatty"), { status: "queued", now: at(0) });
        const lines = Array.from({ length: maxLogLinesPerJob + 30 }, (_, i) => `line ${i}`);
        await registry.appendLog(env.id, "job-1", lines.slice(0, maxLogLinesPerJob - 5), at(1));
        await registry.appendLog(env.id, "job-1", lines.slice(maxLogLinesPerJob - 5, maxLogLinesPerJob + 10), at(2));
        await registry.appendLog(env.id, "job-1", lines.slice(maxLogLinesPerJob + 10), at(3));

        const kept = await registry.readLog(env.id, { jobId: "job-1" });
        expect(kept).toHaveLength(maxLogLinesPerJob + 1);
        expect(kept.slice(0, maxLogLinesPerJob).map((l) => l.text)).toEqual(lines.slice(0, maxLogLinesPerJob));
        const marker = kept[maxLogLinesPerJob];
        expect(lines).not.toContain(marker?.text);
        expect(marker?.jobId).toBe("job-1");

        // The bound is per job: the next job of the environment logs again, numbered after the marker.
        await registry.appendLog(env.id, "job-2", ["fresh"], at(4));
        const next = await registry.readLog(env.id, { jobId: "job-2" });
        expect(next.map((l) => [l.seq, l.text])).toEqual([[(marker?.seq ?? 0) + 1, "fresh"]]);
      });

      it("refuses log lines of an unknown environment with NOT_FOUND", async () => {
        const error = await registry.appendLog("nope", "job-1", ["x"], at(0)).catch((e: unknown) => e);
        expect(codeOf(error)).toBe("NOT_FOUND");
      });
    });

    describe("deliveries", () => {
      it("is new the first time a delivery id is seen and replayed after", async () => {
        const id = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
        expect(await registry.rememberDelivery(id, at(0))).toBe("new");
        const env = await registry.ensureEnvironment(branch("delivered"), { status: "queued", now: at(0) });
        await registry.appendEvent({
          environmentId: env.id,
          at: at(0).toISOString(),
          type: "deploy_requested",
          message: "push",
          deliveryId: id,
        });
        expect(await registry.rememberDelivery(id, at(1))).toBe("replayed");
        expect(await registry.rememberDelivery(id, at(3600))).toBe("replayed");
        expect(await registry.rememberDelivery("another-delivery", at(2))).toBe("new");
      });

      it("takes again a delivery that left no trace in history once it cannot be in progress any more", async () => {
        const abandonedAfter = DELIVERY_ABANDONED_AFTER_MS / 1000;
        expect(await registry.rememberDelivery("crashed-delivery", at(0))).toBe("new");
        // Soon after, it may still be handled: a replay.
        expect(await registry.rememberDelivery("crashed-delivery", at(abandonedAfter - 1))).toBe("replayed");
        // Later, with nothing recorded under its id, its handler died: taken as new, once.
        expect(await registry.rememberDelivery("crashed-delivery", at(abandonedAfter + 1))).toBe("new");
        expect(await registry.rememberDelivery("crashed-delivery", at(abandonedAfter + 2))).toBe("replayed");
      });

      it("takes a forgotten delivery id as new again (its handling failed), and forgets others alone", async () => {
        expect(await registry.rememberDelivery("failed-delivery", at(0))).toBe("new");
        expect(await registry.rememberDelivery("kept-delivery", at(0))).toBe("new");
        await registry.forgetDelivery("failed-delivery");
        await registry.forgetDelivery("never-seen");
        expect(await registry.rememberDelivery("failed-delivery", at(1))).toBe("new");
        expect(await registry.rememberDelivery("kept-delivery", at(1))).toBe("replayed");
      });

      it("refuses a signature seen under another delivery id for as long as ids are kept, changing nothing", async () => {
        const signatureDigest = "1".repeat(64);
        expect(await registry.rememberDelivery("captured", at(0), { signatureDigest })).toBe("new");
        // The captured delivery sent again under a new id (the signature does not cover the id).
        expect(await registry.rememberDelivery("forged-id", at(10), { signatureDigest })).toBe("signature_replayed");
        expect(await registry.rememberDelivery("forged-id", at(3600), { signatureDigest })).toBe("signature_replayed");
        // The refused id was not remembered: with another signature it is new.
        expect(await registry.rememberDelivery("forged-id", at(20), { signatureDigest: "2".repeat(64) })).toBe("new");
        // The same id and signature: a plain replay.
        expect(await registry.rememberDelivery("captured", at(30), { signatureDigest })).toBe("replayed");
        // Once ids are no longer kept (72 h), neither are signatures.
        expect(await registry.rememberDelivery("late-id", at(72 * 3600 + 1), { signatureDigest })).toBe("new");
      });

      it("takes GitHub's redelivery of a failed or abandoned delivery (same id, same signature), not another id", async () => {
        const failed = { signatureDigest: "3".repeat(64) };
        expect(await registry.rememberDelivery("failed", at(0), failed)).toBe("new");
        await registry.forgetDelivery("failed"); // its handling answered 500
        expect(await registry.rememberDelivery("failed-copy", at(1), failed)).toBe("signature_replayed");
        expect(await registry.rememberDelivery("failed", at(2), failed)).toBe("new");
        expect(await registry.rememberDelivery("failed", at(3), failed)).toBe("replayed");

        const abandonedAfter = DELIVERY_ABANDONED_AFTER_MS / 1000;
        const crashed = { signatureDigest: "4".repeat(64) };
        expect(await registry.rememberDelivery("crashed", at(0), crashed)).toBe("new");
        expect(await registry.rememberDelivery("crashed-copy", at(abandonedAfter + 1), crashed)).toBe(
          "signature_replayed",
        );
        expect(await registry.rememberDelivery("crashed", at(abandonedAfter + 1), crashed)).toBe("new");
        // Taken again: kept as long as from then.
        expect(await registry.rememberDelivery("crashed-copy", at(72 * 3600 + 10), crashed)).toBe("signature_replayed");
      });

      it("remembers signatures for a registry opened again on its storage", async () => {
        const signatureDigest = "5".repeat(64);
        expect(await registry.rememberDelivery("durable", at(0), { signatureDigest })).toBe("new");
        await registry.close();
        registry = await options.reopen();
        expect(await registry.rememberDelivery("durable-copy", at(1), { signatureDigest })).toBe("signature_replayed");
      });
    });

    describe("revoked sessions", () => {
      it("keeps a session revoked until it would have expired, and others not", async () => {
        expect(await registry.isSessionRevoked("session-a", at(0))).toBe(false);
        await registry.revokeSession("session-a", at(3600), at(0));
        await registry.revokeSession("session-a", at(3600), at(0)); // logging out twice changes nothing
        expect(await registry.isSessionRevoked("session-a", at(1))).toBe(true);
        expect(await registry.isSessionRevoked("session-a", at(3599))).toBe(true);
        expect(await registry.isSessionRevoked("session-b", at(1))).toBe(false);
        // Past its expiry the session is dead anyway: the revocation may go.
        expect(await registry.isSessionRevoked("session-a", at(3601))).toBe(false);
      });

      it("keeps revocations for a registry opened again on its storage (another instance of the dashboard)", async () => {
        await registry.revokeSession("session-c", at(3600), at(0));
        await registry.close();
        registry = await options.reopen();
        expect(await registry.isSessionRevoked("session-c", at(1))).toBe(true);
      });
    });

    describe("a copy's config", () => {
      it("keeps an environment's own values by key, replaces and removes them, and keeps them for a registry opened again", async () => {
        const env = await registry.ensureEnvironment(branch("config"), { status: "queued", now: at(0) });
        const other = await registry.ensureEnvironment(branch("other"), { status: "queued", now: at(0) });
        await registry.putConfigOverride(env.id, { key: "acme-api:memorySize", value: "256", secret: false }, at(1));
        await registry.putConfigOverride(
          env.id,
          { key: "acme-api:apiKey", value: "s3cr3t-value", secret: true },
          at(1),
        );
        await registry.putConfigOverride(env.id, { key: "acme-api:memorySize", value: "512", secret: false }, at(2));
        await registry.putConfigOverride(other.id, { key: "acme-api:memorySize", value: "1", secret: false }, at(2));
        expect(await registry.listConfigOverrides(env.id)).toEqual([
          { key: "acme-api:apiKey", value: "s3cr3t-value", secret: true },
          { key: "acme-api:memorySize", value: "512", secret: false },
        ]);
        await registry.deleteConfigOverride(env.id, "acme-api:apiKey");
        await registry.deleteConfigOverride(env.id, "never-set");
        await registry.close();
        registry = await options.reopen();
        expect(await registry.listConfigOverrides(env.id)).toEqual([
          { key: "acme-api:memorySize", value: "512", secret: false },
        ]);
        expect(await registry.listConfigOverrides("no-such-environment")).toEqual([]);
        // Never part of the Environment JSON: a secret value must not reach a listing.
        expect(JSON.stringify(await registry.getEnvironment(env.id))).not.toContain("512");
      });

      it("keeps the effective config of the last deploy, replaced by the next", async () => {
        const env = await registry.ensureEnvironment(branch("effective"), { status: "queued", now: at(0) });
        expect(await registry.readEffectiveConfig(env.id)).toBeUndefined();
        await registry.saveEffectiveConfig(
          env.id,
          [{ key: "acme-api:logLevel", value: "warn", secret: false, source: "template" }],
          at(1),
        );
        const entries = [
          { key: "acme-api:apiKey", value: "[secret]", secret: true, source: "template" as const },
          { key: "acme-api:logLevel", value: "debug", secret: false, source: "platform" as const },
        ];
        await registry.saveEffectiveConfig(env.id, entries, at(2));
        expect(await registry.readEffectiveConfig(env.id)).toEqual(entries);
      });

      it("refuses values for an unknown environment with NOT_FOUND", async () => {
        const put = await registry
          .putConfigOverride("no-such-environment", { key: "a", value: "b", secret: false }, at(0))
          .catch((e: unknown) => e);
        expect(codeOf(put)).toBe("NOT_FOUND");
        const save = await registry.saveEffectiveConfig("no-such-environment", [], at(0)).catch((e: unknown) => e);
        expect(codeOf(save)).toBe("NOT_FOUND");
      });
    });
  });
}

function codeOf(error: unknown): ErrorCode | "not a StackforkError" {
  return isStackforkError(error) ? error.code : "not a StackforkError";
}
