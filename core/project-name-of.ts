import { slugify } from "./environment-name.ts";
import type { RepositoryConfig } from "./repository-config.ts";

/** One Pulumi project per repository, named by the platform, so a branch renaming its project cannot orphan state. */
export function projectNameOf(repository: Pick<RepositoryConfig, "name">): string {
  return slugify(repository.name);
}
