import { expect } from "vitest";
import type { EmbeddedServer } from "./embedded-server.ts";
import type { FixtureRepository } from "./fixture-repository.ts";
import { pushPayload } from "./webhook-deliveries.ts";

/**
 * 10 pushes to one branch, in order as GitHub sends them, within well under a second: every one
 * answered 202, at most 2 engine runs, the environment ready at the last commit, its URL saying so.
 * The same promise on every store (embedded and AWS adapters).
 */
export async function expectBurstCollapses(server: EmbeddedServer, repo: FixtureRepository, repository: string) {
  const shas = Array.from({ length: 10 }, (_, i) => repo.commit("burst", `burst ${i}`));
  const answers = [];
  for (const sha of shas) answers.push(await server.deliver("push", pushPayload(repository, "burst", sha)));
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
  const [first] = answers;
  if (!first) throw new Error("no push was answered");
  const id = (first.body.queued as { environment: string }[])[0]?.environment as string;
  const last = shas.at(-1) as string;
  const env = await server.waitFor(id, (e) => e.status === "ready" && e.commitSha === last);
  expect(env.events.filter((e) => e.type === "deploy_started").length).toBeLessThanOrEqual(2);
  expect(await (await fetch(`${env.directUrl}/`)).json()).toMatchObject({ commit: last });
}
