import type { CommentReaction } from "../core/intent.ts";
import type { Logger } from "../core/logger.ts";
import type { GitHubClient } from "./create-github-client.ts";

/**
 * Answers a `/stackfork` comment with a reaction, the way people answer a request in a thread:
 * no comment spam, and the author sees at once whether the command was taken.
 * https://docs.github.com/en/rest/reactions/reactions#create-reaction-for-an-issue-comment
 * Never throws: a reaction that cannot be added is logged.
 */
export function createCommentReactor(client: GitHubClient, log: Logger) {
  return async (repository: string, commentId: number, reaction: CommentReaction): Promise<void> => {
    const [owner = "", repo = ""] = repository.split("/");
    try {
      const octokit = await client.forRepository(repository);
      await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content: reaction });
    } catch (err) {
      log.warn({ err, repository, commentId, reaction }, "could not react to a /stackfork comment");
    }
  };
}
