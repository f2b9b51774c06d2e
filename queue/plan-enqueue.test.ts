import { describe, expect, it } from "vitest";
import { type PlannedJob, planEnqueue } from "./plan-enqueue.ts";

const job = (id: string, type: PlannedJob["type"], state: PlannedJob["state"]) => ({ id, type, state });

describe("planEnqueue", () => {
  it("inserts into an environment with no job", () => {
    expect(planEnqueue([], "deploy")).toEqual({ action: "insert", keep: [], drop: [] });
  });

  it("collapses a deploy into the queued deploy that is last", () => {
    const running = job("a", "deploy", "running");
    const queued = job("b", "deploy", "queued");
    expect(planEnqueue([running, queued], "deploy")).toEqual({
      action: "collapse",
      into: queued,
      keep: [running, queued],
      drop: [],
    });
  });

  it("does not collapse into a running job, nor into a queued job that is not last", () => {
    expect(planEnqueue([job("a", "deploy", "running")], "deploy")).toMatchObject({ action: "insert" });
    const plan = planEnqueue([job("a", "deploy", "queued"), job("b", "destroy", "queued")], "deploy");
    expect(plan).toMatchObject({ action: "insert", drop: [] });
    expect(plan).not.toHaveProperty("into");
  });

  it("has a destroy drop queued deploys, ask the running deploy to abort, and insert after it", () => {
    const running = job("a", "deploy", "running");
    const queued = job("b", "deploy", "queued");
    expect(planEnqueue([running, queued], "destroy")).toEqual({
      action: "insert",
      keep: [running],
      drop: [queued],
      abort: running,
    });
  });

  it("collapses a destroy into a queued destroy, after dropping the deploys queued behind it", () => {
    const destroy = job("a", "destroy", "queued");
    const deploy = job("b", "deploy", "queued");
    expect(planEnqueue([destroy, deploy], "destroy")).toEqual({
      action: "collapse",
      into: destroy,
      keep: [destroy],
      drop: [deploy],
    });
  });

  it("does not ask a running destroy to abort", () => {
    expect(planEnqueue([job("a", "destroy", "running")], "destroy")).not.toHaveProperty("abort");
  });

  it("with ifIdle, inserts only into an environment with no job at all", () => {
    expect(planEnqueue([], "deploy", { ifIdle: true })).toEqual({ action: "insert", keep: [], drop: [] });
    expect(planEnqueue([job("a", "deploy", "queued")], "deploy", { ifIdle: true })).toEqual({ action: "skip" });
    expect(planEnqueue([job("a", "destroy", "running")], "destroy", { ifIdle: true })).toEqual({ action: "skip" });
  });
});
