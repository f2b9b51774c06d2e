import { afterEach, describe, expect, it } from "vitest";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { EnvironmentNotice } from "../github/notifier.ts";
import { createIntakeHarness, type IntakeHarness } from "../test/support/intake-harness.ts";
import {
  type CommentOptions,
  commentPayload,
  type PullRequestOptions,
  pullRequestPayload,
  pushPayload,
  signDelivery,
} from "../test/support/webhook-deliveries.ts";

const SECRET = "policy-secret";
const REPO = "acme/api";
const FORK = "mallory/api";
const [A, B, C] = ["a", "b", "c"].map((c) => c.repeat(40)) as [string, string, string];
const base: RepositoryConfig = {
  name: REPO,
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};

// Real SQLite, the real HTTP route (buildServer + inject), signed deliveries built on the examples.
describe("pull requests and /stackfork commands through the webhook route", () => {
  let intake: IntakeHarness;
  const notices: EnvironmentNotice[] = [];
  const reactions: { repository: string; commentId: number; reaction: string }[] = [];
  const writers = new Set(["lead", "maintainer"]);
  let permissionsDown = false;

  async function start(options: Partial<RepositoryConfig> = {}, { withPermissionCheck = false } = {}) {
    intake = await createIntakeHarness({
      repositories: [{ ...base, ...options }],
      webhookSecrets: [SECRET],
      notifier: { notify: async (notice) => void notices.push(notice) },
      reactToComment: async (repository, commentId, reaction) =>
        void reactions.push({ repository, commentId, reaction }),
      checkWriteAccess: withPermissionCheck
        ? async (repository, login) => {
            if (permissionsDown) throw new Error("GitHub is down");
            return repository === REPO && writers.has(login);
          }
        : undefined,
    });
    return intake;
  }
  afterEach(async () => {
    await intake?.close();
    notices.length = 0;
    reactions.length = 0;
    permissionsDown = false;
  });

  const send = async (event: string, payload: Record<string, unknown>) =>
    intake.viaRoute(await signDelivery(SECRET, event, payload));
  const forkPr = (action: string, headSha: string, extra: Partial<PullRequestOptions> = {}) =>
    send(
      "pull_request",
      pullRequestPayload(REPO, { action, number: 7, headRef: "main", headSha, fork: FORK, ...extra }),
    );
  const sameRepoPr = (action: string, headSha: string, extra: Partial<PullRequestOptions> = {}) =>
    send("pull_request", pullRequestPayload(REPO, { action, number: 8, headRef: "feature/pr", headSha, ...extra }));
  /** A comment written now (by the intake's clock), by a member unless said otherwise. */
  const comment = (number: number, body: string, extra: Partial<CommentOptions> = {}) =>
    send("issue_comment", commentPayload(REPO, { number, body, login: "lead", createdAt: later(), ...extra }));
  const later = () => intake.advance(1000).toISOString();
  /** Before anything happened: the harness's clock starts here. */
  const written0 = "2026-11-27T11:00:00.000Z";
  const forkEnvironment = () =>
    intake.registry.findEnvironment({ kind: "pull_request", repository: REPO, pullRequest: 7, branch: "main" });
  const eventsOf = async (id: string) => (await intake.registry.listEvents(id)).map((e) => [e.type, e.errorCode]);

  it("holds a fork's pull request as awaiting_approval, with no job, until a member approves it", async () => {
    await start();
    const held = await forkPr("opened", A);
    expect(held).toMatchObject({ statusCode: 200, body: { code: "APPROVAL_REQUIRED", held: [{ commitSha: A }] } });
    const environment = await forkEnvironment();
    expect(environment).toMatchObject({
      kind: "pull_request",
      pullRequest: 7,
      branch: "main",
      status: "awaiting_approval",
    });
    const id = environment?.id as string;
    expect(id).toMatch(/^api-pr-7/);
    expect(await intake.queue.listPending()).toEqual([]);
    expect(notices).toMatchObject([{ phase: "awaiting_approval", commitSha: A, environment: { id } }]);
    // The same commit again (ready_for_review) changes nothing.
    expect((await forkPr("ready_for_review", A)).body.code).toBe("NOTHING_TO_DO");

    // Someone without write access cannot approve: refused, recorded, still no job.
    const refused = await comment(7, "/stackfork deploy", { association: "NONE", login: "mallory" });
    expect(refused).toMatchObject({
      statusCode: 200,
      body: { refused: [{ code: "COMMAND_NOT_ALLOWED", environment: id }] },
    });
    expect(await eventsOf(id)).toContainEqual(["command_refused", "COMMAND_NOT_ALLOWED"]);
    expect((await intake.registry.getEnvironment(id))?.status).toBe("awaiting_approval");
    expect(await intake.queue.listPending()).toEqual([]);

    const approved = await comment(7, "/stackfork deploy", { association: "MEMBER" });
    expect(approved.statusCode).toBe(202);
    expect(await intake.queue.listPending(id)).toMatchObject([
      { type: "deploy", commitSha: A, reason: { actor: "lead" } },
    ]);
    expect((await intake.registry.getEnvironment(id))?.status).toBe("queued");
  });

  it("answers each command's comment on GitHub: +1 done, -1 refused, confused for nothing to do", async () => {
    await start();
    await forkPr("opened", A);
    await comment(7, "/stackfork deploy", { association: "NONE", login: "mallory" });
    await comment(7, "/stackfork deploy", { association: "MEMBER" });
    await comment(8, "/stackfork destroy", { association: "MEMBER" }); // #8 has no environment
    const commentId = (commentPayload(REPO, { number: 7, body: "" }).comment as { id: number }).id;
    expect(reactions).toEqual([
      { repository: REPO, commentId, reaction: "-1" },
      { repository: REPO, commentId, reaction: "+1" },
      { repository: REPO, commentId, reaction: "confused" },
    ]);
  });

  it("needs a new approval for every later push to the fork, and refuses an approval older than the push", async () => {
    await start();
    await forkPr("opened", A);
    const written = later(); // a member reads A and writes an approval...
    await intake.finishJobs();
    const id = (await forkEnvironment())?.id as string;
    expect((await comment(7, "/stackfork deploy")).statusCode).toBe(202);
    await intake.finishJobs();
    expect(await intake.registry.getEnvironment(id)).toMatchObject({ status: "ready", commitSha: A });

    // ...the fork pushes B: nothing runs, the environment waits again (still serving A).
    expect((await forkPr("synchronize", B)).body).toMatchObject({
      code: "APPROVAL_REQUIRED",
      held: [{ commitSha: B }],
    });
    expect(await intake.registry.getEnvironment(id)).toMatchObject({ status: "awaiting_approval", commitSha: A });
    expect(await intake.queue.listPending()).toEqual([]);

    // An approval written before B was pushed (delivered late) must not approve B.
    const stale = await comment(7, "/stackfork deploy", { createdAt: written });
    expect(stale.body).toMatchObject({ refused: [{ code: "APPROVAL_STALE" }] });
    expect(await intake.queue.listPending()).toEqual([]);

    expect((await comment(7, "/stackfork deploy")).statusCode).toBe(202);
    expect(await intake.queue.listPending(id)).toMatchObject([{ type: "deploy", commitSha: B }]);
    // Approving again what is already queued queues nothing more.
    expect((await comment(7, "/stackfork deploy")).body.code).toBe("NOTHING_TO_DO");
  });

  it("approves exactly the commit a member names, and refuses a name that is not the commit waiting", async () => {
    await start();
    await forkPr("opened", A);
    const id = (await forkEnvironment())?.id as string;
    // A member reviews A; the fork pushes B before the approval is written.
    await forkPr("synchronize", B);
    const mismatch = await comment(7, `/stackfork deploy ${A.slice(0, 7)}`);
    expect(mismatch.body).toMatchObject({ refused: [{ code: "APPROVAL_COMMIT_MISMATCH", environment: id }] });
    expect(await eventsOf(id)).toContainEqual(["command_refused", "APPROVAL_COMMIT_MISMATCH"]);
    expect(await intake.queue.listPending()).toEqual([]);
    // The sticky comment is told again which commit waits.
    expect(notices.at(-1)).toMatchObject({ phase: "awaiting_approval", commitSha: B });

    // Naming the waiting commit approves it, even from a comment written before it was held.
    const named = await comment(7, `/stackfork deploy ${B.slice(0, 9).toUpperCase()}`, { createdAt: written0 });
    expect(named.statusCode).toBe(202);
    expect(await intake.queue.listPending(id)).toMatchObject([{ type: "deploy", commitSha: B }]);
    expect(notices.at(-1)).toMatchObject({ phase: "approved", commitSha: B, environment: { id } });
  });

  it("refuses a commit prefix two of the fork's commits share, and approves a longer one", async () => {
    const [X, Y] = [`abcdef1${"0".repeat(33)}`, `abcdef1${"1".repeat(33)}`];
    await start();
    await forkPr("opened", X);
    await forkPr("synchronize", Y);
    expect((await comment(7, "/stackfork deploy abcdef1")).body).toMatchObject({
      refused: [{ code: "APPROVAL_COMMIT_MISMATCH" }],
    });
    expect(await intake.queue.listPending()).toEqual([]);
    expect((await comment(7, "/stackfork deploy abcdef11")).statusCode).toBe(202);
    expect(await intake.queue.listPending()).toMatchObject([{ type: "deploy", commitSha: Y }]);
  });

  it("keeps an approval across fork pushes when the repository does not ask to re-approve", async () => {
    await start({ reapproveForkPushes: false });
    await forkPr("opened", A);
    expect((await forkPr("synchronize", B)).body.code).toBe("APPROVAL_REQUIRED"); // never approved yet
    expect((await comment(7, "/stackfork deploy")).statusCode).toBe(202);
    await intake.finishJobs();
    const pushed = await forkPr("synchronize", C);
    expect(pushed.statusCode).toBe(202);
    expect(await intake.queue.listPending()).toMatchObject([{ type: "deploy", commitSha: C }]);
  });

  it("approves the labelled head commit when someone with write access adds the approval label", async () => {
    await start({ approvalLabel: "safe-to-deploy" }, { withPermissionCheck: true });
    await forkPr("opened", A);
    const id = (await forkEnvironment())?.id as string;
    expect((await forkPr("labeled", A, { label: "stackfork:approved", sender: "maintainer" })).body.code).toBe(
      "ACTION_NOT_HANDLED",
    );
    // Labelling needs only triage access on GitHub: the permission check decides.
    const byTriager = await forkPr("labeled", A, { label: "safe-to-deploy", sender: "triager" });
    expect(byTriager.body).toMatchObject({ refused: [{ code: "COMMAND_NOT_ALLOWED", environment: id }] });
    expect(await intake.queue.listPending()).toEqual([]);

    const approved = await forkPr("labeled", A, { label: "safe-to-deploy", sender: "maintainer" });
    expect(approved.statusCode).toBe(202);
    expect(await intake.queue.listPending(id)).toMatchObject([
      { type: "deploy", commitSha: A, reason: { actor: "maintainer" } },
    ]);
    // GitHub is told which commit the label approved.
    expect(notices.at(-1)).toMatchObject({ phase: "approved", commitSha: A, environment: { id } });
    await intake.finishJobs();
    // The label stays on the pull request, but a new push still needs a new approval.
    expect((await forkPr("synchronize", B)).body.code).toBe("APPROVAL_REQUIRED");
    expect(await intake.queue.listPending()).toEqual([]);
    // A label event carrying an older head (C was pushed after it) approves that head only: C still waits.
    await forkPr("synchronize", C);
    expect((await forkPr("labeled", B, { label: "safe-to-deploy", sender: "maintainer" })).statusCode).toBe(202);
    expect(await intake.queue.listPending(id)).toMatchObject([{ type: "deploy", commitSha: B }]);
    expect(notices.at(-1)).toMatchObject({ phase: "approved", commitSha: B, awaitingCommitSha: C });
  });

  it("asks GitHub for write access when it can: a member without it is refused, and a failed check refuses too", async () => {
    await start({}, { withPermissionCheck: true });
    await forkPr("opened", A);
    const readOnlyMember = await comment(7, "/stackfork deploy", { association: "MEMBER", login: "reader" });
    expect(readOnlyMember.body).toMatchObject({ refused: [{ code: "COMMAND_NOT_ALLOWED" }] });
    permissionsDown = true;
    expect((await comment(7, "/stackfork deploy")).body).toMatchObject({
      refused: [{ code: "PERMISSION_CHECK_FAILED" }],
    });
    expect(await intake.queue.listPending()).toEqual([]);
    permissionsDown = false;
    expect((await comment(7, "/stackfork deploy")).statusCode).toBe(202);
  });

  it("destroys a fork's environment on close: at once if it never ran, through a job if it did", async () => {
    await start();
    await forkPr("opened", A);
    const closed = await forkPr("closed", A);
    expect(closed.body).toMatchObject({ updated: [{ status: "destroyed" }] });
    expect(await intake.queue.listPending()).toEqual([]);
    // Reopened: held again, approval needed again.
    expect((await forkPr("reopened", A)).body.code).toBe("APPROVAL_REQUIRED");
    expect((await comment(7, "/stackfork deploy")).statusCode).toBe(202);
    await intake.finishJobs();
    const destroy = await forkPr("closed", A, { updatedAt: later() });
    expect(destroy.statusCode).toBe(202);
    expect(await intake.queue.listPending()).toMatchObject([{ type: "destroy" }]);
  });

  it("never lets a fork's branch name reach a branch environment of the same name", async () => {
    await start();
    await send("push", pushPayload(REPO, "feature/pr", A));
    await forkPr("opened", B, { headRef: "feature/pr" });
    const branch = await intake.registry.findEnvironment({ kind: "branch", repository: REPO, branch: "feature/pr" });
    expect(await intake.queue.listPending(branch?.id)).toMatchObject([{ type: "deploy", commitSha: A }]);
    expect(branch?.pullRequest).toBeUndefined();
    expect((await forkEnvironment())?.status).toBe("awaiting_approval");
  });

  it("deploys and links a same-repository pull request's branch, and runs its comment commands", async () => {
    await start();
    const opened = await sameRepoPr("opened", A, { draft: true });
    expect(opened.statusCode).toBe(202);
    const id = (opened.body.queued as { environment: string }[])[0]?.environment as string;
    expect(await intake.registry.getEnvironment(id)).toMatchObject({
      kind: "branch",
      branch: "feature/pr",
      pullRequest: 8,
    });
    // The push of the same commit merges into the queued job; the synchronize runs nothing more.
    expect((await send("push", pushPayload(REPO, "feature/pr", A))).body).toMatchObject({
      queued: [{ collapsed: true }],
    });
    expect((await sameRepoPr("synchronize", A)).body.code).toBe("ALREADY_DEPLOYED");
    await intake.finishJobs();
    expect((await sameRepoPr("ready_for_review", A)).body.code).toBe("ALREADY_DEPLOYED");

    const before = (await intake.registry.getEnvironment(id))?.expiresAt as string;
    const extended = await comment(8, "/stackfork extend 2d");
    expect(extended.body).toMatchObject({ updated: [{ environment: id, status: "ready" }] });
    const after = (await intake.registry.getEnvironment(id))?.expiresAt as string;
    expect(Date.parse(after) - Date.parse(before)).toBe(48 * 3_600_000);
    expect(await eventsOf(id)).toContainEqual(["expiry_extended", undefined]);
    expect((await comment(8, "/stackfork extend 2y")).body).toMatchObject({ refused: [{ code: "COMMAND_INVALID" }] });
    expect((await comment(8, "/stackfork extend 30d")).body).toMatchObject({ refused: [{ code: "COMMAND_INVALID" }] });

    // Naming a commit approves a fork's commit; a branch deploys its head.
    expect((await comment(8, `/stackfork deploy ${A.slice(0, 7)}`)).body).toMatchObject({
      refused: [{ code: "COMMAND_INVALID" }],
    });
    expect((await comment(8, "/stackfork redeploy")).statusCode).toBe(202);
    expect(await intake.queue.listPending(id)).toMatchObject([{ type: "deploy", commitSha: A }]);
    // A reseed is asked for in history (core/decide-seed.ts), then deploys like a redeploy.
    expect((await comment(8, "/stackfork reseed")).statusCode).toBe(202);
    expect(await eventsOf(id)).toContainEqual(["seed_requested", undefined]);
    expect(await intake.queue.listPending(id)).toMatchObject([{ type: "deploy", commitSha: A }]);
    expect((await comment(8, "/stackfork destroy")).statusCode).toBe(202);
    expect(await intake.queue.listPending(id)).toMatchObject([{ type: "destroy" }]);
    expect((await comment(9, "/stackfork destroy")).body.code).toBe("NOTHING_TO_DO"); // no environment for #9
    expect((await comment(8, "/stackfork deploy", { bot: true })).body.code).toBe("COMMENT_BY_BOT");
  });

  it("destroys the branch environment when its pull request closes, unless the repository keeps it", async () => {
    await start();
    await sameRepoPr("opened", A);
    expect((await sameRepoPr("closed", A)).statusCode).toBe(202);
    expect(await intake.queue.listPending()).toMatchObject([{ type: "destroy" }]);
    await intake.close();

    await start({ keepBranchEnvironmentOnClose: true });
    await sameRepoPr("opened", A);
    expect((await sameRepoPr("closed", A)).body.code).toBe("BRANCH_KEPT");
    expect(await intake.queue.listPending()).toMatchObject([{ type: "deploy" }]);
  });
});
