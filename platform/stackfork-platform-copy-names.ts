import { slugify } from "../core/environment-name.ts";

/** nameEnvironment's `-<8 hex>` hash suffix (core/environment-name.ts). */
const HASH_SUFFIX_LENGTH = 9;

/**
 * What every resource name of a repository's copies starts with: environment names begin with the
 * repository's slug (core/environment-name.ts), cut to leave room for the hash suffix, and every
 * resource of a copy is `<environment>-<suffix>` (stacks/service/physical-name.ts). None may
 * collide with the platform's own names (stackfork-platform-config.ts).
 */
export function copyNamePrefix(repository: string, nameMaxLength: number): string {
  const slug = slugify(repository.split("/").pop() ?? repository);
  if (!slug) throw new Error(`${repository}: the repository's name has no letter or digit to scope its copies by`);
  const room = nameMaxLength - HASH_SUFFIX_LENGTH;
  return slug.length + 1 <= room ? `${slug}-` : slug.slice(0, room).replace(/-+$/, "");
}

/** One prefix per repository, without duplicates, in the order given. */
export function copyNamePrefixes(repositories: readonly { name: string }[], nameMaxLength: number): string[] {
  return [...new Set(repositories.map((repository) => copyNamePrefix(repository.name, nameMaxLength)))];
}
