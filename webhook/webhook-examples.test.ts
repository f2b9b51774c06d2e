import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCatalogue } from "../core/errors.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createIntakeHarness, type IntakeAnswer, type IntakeHarness } from "../test/support/intake-harness.ts";
import { signDelivery } from "../test/support/webhook-deliveries.ts";

const SECRET = "examples-secret";
const EVENTS = ["ping", "push", "create", "delete", "pull_request", "issue_comment"];
// The examples' repositories, configured, so that the policy really looks at every payload.
const repositories: RepositoryConfig[] = ["Codertocat/Hello-World", "Octocoders/Hello-World"].map((name) => ({
  name,
  stackPath: "stacks/service",
  defaultBranch: "master",
  target: "local",
  ttlHours: 72,
}));

/** `queued:<job type>`, or the code of a 200 answer. */
type Outcome = string;
/**
 * What each example, delivered in the package's order to one intake, must come to. The pushes,
 * creates and deletes are of tags or of the default branch `master`; the comments are on issues;
 * the pull request (#2, head `changes` in the same repository) is opened, closed, reopened...
 */
const expected: Record<string, Outcome[]> = {
  ping: ["PING", "PING", "PING", "PING"],
  push: [
    "NOT_A_BRANCH",
    "NOT_A_BRANCH",
    "NOT_A_BRANCH",
    "NOT_A_BRANCH",
    "DEFAULT_BRANCH",
    "DEFAULT_BRANCH",
    "NOT_A_BRANCH",
  ],
  create: Array(5).fill("NOT_A_BRANCH"),
  delete: Array(4).fill("NOT_A_BRANCH"),
  issue_comment: [
    ...Array(5).fill("NOT_A_PULL_REQUEST"), // created, on issue #1
    ...Array(4).fill("ACTION_NOT_HANDLED"), // deleted, edited
  ],
  pull_request: [
    "queued:deploy", // 0 opened: `changes` deployed at the head, linked to #2
    "ACTION_NOT_HANDLED", // 1-2 assigned
    "ACTION_NOT_HANDLED",
    "queued:destroy", // 3 closed: the queued deploy is dropped
    "queued:destroy", // 4 closed again: merged into the queued destroy
    "ACTION_NOT_HANDLED", // 5-7 converted_to_draft
    "ACTION_NOT_HANDLED",
    "ACTION_NOT_HANDLED",
    "ACTION_NOT_HANDLED", // 8-9 labeled `bug`
    "ACTION_NOT_HANDLED",
    "ACTION_NOT_HANDLED", // 10-11 locked
    "ACTION_NOT_HANDLED",
    "queued:deploy", // 12 opened: a deploy after the destroy
    "ALREADY_DEPLOYED", // 13-14 opened: that commit is queued already, nothing more runs
    "ALREADY_DEPLOYED",
    "ALREADY_DEPLOYED", // 15-17 ready_for_review
    "ALREADY_DEPLOYED",
    "ALREADY_DEPLOYED",
    "ALREADY_DEPLOYED", // 18-19 reopened
    "ALREADY_DEPLOYED",
    "ACTION_NOT_HANDLED", // 20-21 review requests
    "ACTION_NOT_HANDLED",
    "ALREADY_DEPLOYED", // 22 synchronize
    ...Array(6).fill("ACTION_NOT_HANDLED"), // 23-28 unassigned, unlabeled, unlocked
  ],
};

describe("every push, create, delete, pull_request, issue_comment and ping example of @octokit/webhooks-examples", () => {
  let route: IntakeHarness;
  let lambda: IntakeHarness;
  const answers: { name: string; index: number; route: IntakeAnswer; lambda: IntakeAnswer; queuedType?: string }[] = [];

  /** The type of the job an answer says was queued, read at once (a later delivery may drop it). */
  async function queuedType(answer: IntakeAnswer) {
    const [queued] = (answer.body.queued ?? []) as { environment: string; jobId: string }[];
    if (!queued) return undefined;
    return (await route.queue.listPending(queued.environment)).find((job) => job.id === queued.jobId)?.type;
  }

  beforeAll(async () => {
    route = await createIntakeHarness({ repositories, webhookSecrets: [SECRET] });
    lambda = await createIntakeHarness({ repositories, webhookSecrets: [SECRET] });
    for (const { name, examples: payloads } of examples as { name: string; examples: Record<string, unknown>[] }[]) {
      if (!EVENTS.includes(name)) continue;
      for (const [index, payload] of payloads.entries()) {
        const delivery = await signDelivery(SECRET, name, payload, `${name}-${index}`);
        const viaRoute = await route.viaRoute(delivery);
        answers.push({
          name,
          index,
          route: viaRoute,
          lambda: await lambda.viaLambda(delivery),
          queuedType: await queuedType(viaRoute),
        });
      }
    }
  });
  afterAll(async () => {
    await route?.close();
    await lambda?.close();
  });

  it("delivers all of them (the package has not lost any)", () => {
    for (const name of EVENTS) {
      expect(answers.filter((a) => a.name === name).length, name).toBe(expected[name]?.length);
    }
  });

  it("answers each through the HTTP route as the policy says, with a catalogued code when nothing is queued", () => {
    for (const { name, index, route: answer, queuedType } of answers) {
      const want = expected[name]?.[index] ?? "(none)";
      const label = `${name} #${index}: ${JSON.stringify(answer.body)}`;
      if (want.startsWith("queued:")) {
        expect([answer.statusCode, `queued:${queuedType}`], label).toEqual([202, want]);
      } else {
        expect([answer.statusCode, answer.body.code], label).toEqual([200, want]);
        expect(errorCatalogue, label).toHaveProperty(want);
        expect(typeof answer.body.ignored, label).toBe("string");
      }
    }
  });

  it("leaves the pull request's head branch linked to #2, with a destroy then a deploy of its head queued", async () => {
    const environment = await route.registry.findEnvironment({
      kind: "branch",
      repository: "Codertocat/Hello-World",
      branch: "changes",
    });
    expect(environment).toMatchObject({ kind: "branch", pullRequest: 2, status: "destroying" });
    const jobs = await route.queue.listPending(environment?.id);
    expect(jobs.map((job) => [job.type, job.commitSha])).toEqual([
      ["destroy", undefined],
      ["deploy", "ec26c3e57ca3a959ca5aad62de7213c562f8c821"],
    ]);
    expect((await route.queue.listPending()).length).toBe(2);
  });

  it("gives the same answer through the Lambda handler, for every one of them", () => {
    for (const { name, index, route: viaRoute, lambda: viaLambda } of answers) {
      expect(viaLambda, `${name} #${index}`).toEqual(viaRoute);
    }
  });

  it("leaves the Lambda's registry and queue as the route's", async () => {
    expect(await lambda.queue.listPending()).toEqual(await route.queue.listPending());
    expect(await lambda.registry.listEnvironments({ includeDestroyed: true })).toEqual(
      await route.registry.listEnvironments({ includeDestroyed: true }),
    );
  });
});
