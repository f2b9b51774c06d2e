/** What `stackfork simulate` can send. */
export type SimulatedEvent =
  | { event: "push"; repository: string; branch: string; sha: string; defaultBranch: string; sender: string }
  | { event: "delete"; repository: string; branch: string; defaultBranch: string; sender: string }
  | {
      event: "pull_request";
      action: "opened" | "reopened" | "synchronize" | "closed" | "ready_for_review";
      repository: string;
      number: number;
      branch: string;
      sha: string;
      defaultBranch: string;
      sender: string;
      /** The head is in a fork (`<sender>/<name>`), not in the repository. */
      fork: boolean;
      merged: boolean;
    };

const ZERO_SHA = "0000000000000000000000000000000000000000";

/**
 * A payload shaped like GitHub's for the event (the fields stackfork and common tools read, with
 * their real names and types; https://docs.github.com/en/webhooks/webhook-events-and-payloads).
 */
export function buildSimulatedPayload(simulated: SimulatedEvent): Record<string, unknown> {
  const [ownerLogin = "", name = ""] = simulated.repository.split("/");
  const sender = { login: simulated.sender, id: 1, type: "User" };
  const repository = {
    id: 1,
    name,
    full_name: simulated.repository,
    private: false,
    owner: { login: ownerLogin, id: 2, type: "Organization" },
    html_url: `https://github.com/${simulated.repository}`,
    default_branch: simulated.defaultBranch,
  };
  switch (simulated.event) {
    case "push":
      return {
        ref: `refs/heads/${simulated.branch}`,
        before: ZERO_SHA,
        after: simulated.sha,
        created: false,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `https://github.com/${simulated.repository}/commit/${simulated.sha}`,
        commits: [],
        head_commit: { id: simulated.sha, message: "simulated push", timestamp: new Date().toISOString() },
        repository,
        pusher: { name: simulated.sender, email: null },
        sender,
      };
    case "delete":
      return { ref: simulated.branch, ref_type: "branch", pusher_type: "user", repository, sender };
    case "pull_request": {
      const headRepository = simulated.fork
        ? { ...repository, id: 3, full_name: `${simulated.sender}/${name}`, owner: sender, fork: true }
        : repository;
      return {
        action: simulated.action,
        number: simulated.number,
        pull_request: {
          number: simulated.number,
          state: simulated.action === "closed" ? "closed" : "open",
          draft: false,
          merged: simulated.merged,
          title: `simulated pull request #${simulated.number}`,
          html_url: `https://github.com/${simulated.repository}/pull/${simulated.number}`,
          user: sender,
          head: {
            ref: simulated.branch,
            sha: simulated.sha,
            label: `${simulated.sender}:${simulated.branch}`,
            repo: headRepository,
            user: sender,
          },
          base: {
            ref: simulated.defaultBranch,
            sha: ZERO_SHA,
            label: `${ownerLogin}:${simulated.defaultBranch}`,
            repo: repository,
          },
        },
        repository,
        sender,
      };
    }
  }
}
