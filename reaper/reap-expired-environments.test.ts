import { describe, expect, it } from "vitest";
import type { EnvironmentIdentity, EnvironmentStatus } from "../core/environment.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { reapExpiredEnvironments } from "./reap-expired-environments.ts";

const now = new Date("2026-11-27T12:00:00.000Z");
const hoursFromNow = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();
const branch = (name: string): EnvironmentIdentity => ({ kind: "branch", repository: "acme/api", branch: name });

describe("reapExpiredEnvironments", () => {
  const stores = useSqliteStores();

  const seed = async (name: string, status: EnvironmentStatus, expiresAt?: string) => {
    const { registry } = stores;
    const env = await seedEnvironment(registry, branch(name), status, new Date(now.getTime() - 3_600_000), {
      url: `http://127.0.0.1:9/${name}`,
      commitSha: "a".repeat(40),
    });
    return expiresAt ? registry.updateEnvironment(env.id, { expiresAt }, new Date(now.getTime() - 1000)) : env;
  };
  const reap = () =>
    reapExpiredEnvironments({
      ...stores,
      nameMaxLength: 40,
      log: createRecordingLogger(),
      now: () => now,
    });

  it("queues a destroy, by stackfork and saying why, for each settled environment past its expiry", async () => {
    const { registry, queue } = stores;
    const expiredReady = await seed("expired-ready", "ready", hoursFromNow(-1));
    const expiredFailed = await seed("expired-failed", "failed", hoursFromNow(-0.001));
    const expiringNow = await seed("expiring-now", "ready", now.toISOString());
    const live = await seed("live", "ready", hoursFromNow(2));
    const forever = await seed("forever", "ready");

    const reaped = await reap();

    expect(reaped.sort()).toEqual([expiredReady.id, expiredFailed.id, expiringNow.id].sort());
    for (const id of reaped) {
      expect((await registry.getEnvironment(id))?.status).toBe("destroying");
      expect(await queue.listPending(id)).toMatchObject([{ type: "destroy" }]);
      expect((await registry.listEvents(id)).at(-1)).toMatchObject({
        type: "destroy_requested",
        actor: "stackfork",
        message: expect.stringMatching(/^expired at .*extend it/),
      });
    }
    for (const untouched of [live, forever]) {
      expect((await registry.getEnvironment(untouched.id))?.status).toBe("ready");
      expect(await queue.listPending(untouched.id)).toEqual([]);
    }
    // A second sweep finds them already on their way.
    expect(await reap()).toEqual([]);
  });

  it("leaves an environment with a job in flight alone: its deploy sets a new expiry, its destroy is on its way", async () => {
    const { registry, queue } = stores;
    const deploying = await seed("deploying", "deploying", hoursFromNow(-1));
    const destroying = await seed("destroying", "destroying", hoursFromNow(-1));
    const destroyed = await seed("destroyed", "destroyed", hoursFromNow(-1));
    expect(await reap()).toEqual([]);
    expect((await registry.getEnvironment(deploying.id))?.status).toBe("deploying");
    expect((await registry.getEnvironment(destroying.id))?.status).toBe("destroying");
    expect((await registry.getEnvironment(destroyed.id))?.status).toBe("destroyed");
    expect(await queue.listPending()).toEqual([]);
  });

  it("destroys an expired fork awaiting approval that was never deployed at once, with no job", async () => {
    const { registry, queue } = stores;
    const held = await seed("held-fork", "awaiting_approval", hoursFromNow(-1));
    expect(await reap()).toEqual([held.id]);
    expect((await registry.getEnvironment(held.id))?.status).toBe("destroyed");
    expect(await queue.listPending(held.id)).toEqual([]);
  });

  it("goes through every page of environments", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 520; i++) ids.push((await seed(`many-${i}`, "ready", hoursFromNow(-1))).id);
    expect((await reap()).sort()).toEqual(ids.sort());
  });
});
