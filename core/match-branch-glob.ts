/**
 * Whether a branch matches a glob of the platform's overrides: `*` is any run of characters but
 * `/`, `**` any run at all, `?` one character but `/`; everything else is itself.
 * @example matchBranchGlob("feature/*", "feature/login") // true
 * @example matchBranchGlob("feature/*", "feature/a/b") // false
 */
export function matchBranchGlob(glob: string, branch: string): boolean {
  let pattern = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      pattern += ".*";
      i++;
    } else if (c === "*") pattern += "[^/]*";
    else if (c === "?") pattern += "[^/]";
    else pattern += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${pattern}$`).test(branch);
}
