import type { Environment } from "../core/environment.ts";

/** What a listing's `search` looks in: lowercase name, branch and repository, one per line. */
export function formatSearchText({ name, branch, repository }: Pick<Environment, "name" | "branch" | "repository">) {
  return [name, branch, repository].join("\n").toLowerCase();
}
