import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createIntakeHarness, type IntakeHarness } from "../test/support/intake-harness.ts";
import {
  commentPayload,
  type Delivery,
  pullRequestPayload,
  pushPayload,
  signDelivery,
} from "../test/support/webhook-deliveries.ts";

const SECRET = "lambda-secret";
const SHA = "c".repeat(40);
const repositories: RepositoryConfig[] = [
  { name: "acme/api", stackPath: "stacks/service", defaultBranch: "main", target: "local", ttlHours: 72 },
];

describe("the webhook Lambda handler (API Gateway HTTP API / Function URL, payload 2.0)", () => {
  let viaRoute: IntakeHarness;
  let viaLambda: IntakeHarness;

  beforeAll(async () => {
    viaRoute = await createIntakeHarness({ repositories, webhookSecrets: ["old-secret", SECRET] });
    viaLambda = await createIntakeHarness({ repositories, webhookSecrets: ["old-secret", SECRET] });
  });
  afterAll(async () => {
    await viaRoute?.close();
    await viaLambda?.close();
  });

  /** The same delivery to both (each with its own registry and queue, in step), both answers. */
  async function both(delivery: Delivery) {
    return { route: await viaRoute.viaRoute(delivery), lambda: await viaLambda.viaLambda(delivery) };
  }

  it("answers every kind of delivery exactly as the HTTP route does", async () => {
    const push = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/l", SHA), "delivery-1");
    const { "x-hub-signature-256": _, ...unsignedHeaders } = push.headers;
    const forged = await signDelivery("wrong-secret", "push", pushPayload("acme/api", "feature/l", SHA));
    const notJson = "{nope";
    const deliveries: [string, Delivery, number][] = [
      ["signed push", push, 202],
      ["replay", push, 200],
      ["rotated secret", await signDelivery("old-secret", "push", pushPayload("acme/api", "feature/m", SHA)), 202],
      ["unsigned", { ...push, headers: unsignedHeaders }, 401],
      ["forged", forged, 401],
      ["tampered", { ...push, body: push.body.replace("feature/l", "feature/x") }, 401],
      [
        "not JSON",
        { ...push, body: notJson, headers: { ...push.headers, "x-hub-signature-256": await sign(SECRET, notJson) } },
        400,
      ],
      ["no event header", { ...push, headers: { ...push.headers, "x-github-event": "" } }, 400],
      [
        "fork pull request",
        await signDelivery(
          SECRET,
          "pull_request",
          pullRequestPayload("acme/api", { action: "opened", number: 3, headRef: "x", headSha: SHA, fork: "eve/api" }),
        ),
        200,
      ],
      [
        "command from a stranger",
        await signDelivery(
          SECRET,
          "issue_comment",
          commentPayload("acme/api", { number: 3, body: "/stackfork deploy", association: "NONE" }),
        ),
        200,
      ],
      ["ping", await signDelivery(SECRET, "ping", { zen: "Keep it logically awesome.", hook_id: 1 }), 200],
    ];
    for (const [label, delivery, statusCode] of deliveries) {
      const { route, lambda } = await both(delivery);
      expect(route.statusCode, label).toBe(statusCode);
      expect(lambda, label).toEqual(route);
    }
  });

  it("decodes a base64 body before checking its signature", async () => {
    const delivery = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/b64", SHA));
    const answer = await viaLambda.viaLambda(delivery, { base64: true });
    expect(answer.statusCode).toBe(202);
    expect(
      await viaLambda.queue.listPending((answer.body.queued as { environment: string }[])[0]?.environment),
    ).toMatchObject([{ type: "deploy", commitSha: SHA }]);
  });

  it("refuses a body over 25 MB with 413 (as the route does) and anything but POST with 405", async () => {
    const delivery = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/big", SHA));
    const huge = { ...delivery, body: `{"x":"${"a".repeat(25 * 1024 * 1024)}"}` };
    const { route, lambda } = await both(huge);
    expect([route.statusCode, route.body.error]).toMatchObject([413, { code: "PAYLOAD_TOO_LARGE" }]);
    expect([lambda.statusCode, lambda.body.error]).toMatchObject([413, { code: "PAYLOAD_TOO_LARGE" }]);
    const base64 = await viaLambda.viaLambda(huge, { base64: true });
    expect(base64.statusCode).toBe(413);

    const get = await viaLambda.lambda({ headers: {}, requestContext: { http: { method: "GET" } } });
    expect([get.statusCode, JSON.parse(get.body).error.code]).toEqual([405, "METHOD_NOT_ALLOWED"]);
    expect(get.headers["content-type"]).toMatch(/^application\/json/);
  });
});
