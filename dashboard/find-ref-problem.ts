/**
 * Why `ref` cannot be a git branch name or commit, in words a person can act on; undefined when
 * it can. The rules of `git check-ref-format` that matter here
 * (https://git-scm.com/docs/git-check-ref-format). The ref never reaches a shell either way.
 */
export function findRefProblem(ref: string): string | undefined {
  if (ref.length === 0) return "is empty";
  if (ref.length > 255) return "is longer than 255 characters";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(ref)) return "contains a space, a control character or one of ~^:?*[\\";
  if (ref.startsWith("-")) return "starts with -";
  if (ref.includes("..") || ref.includes("@{") || ref.includes("//")) return 'contains "..", "@{" or "//"';
  if (ref.startsWith("/") || ref.endsWith("/") || ref.endsWith(".") || ref.endsWith(".lock"))
    return 'starts or ends with "/", or ends with "." or ".lock"';
  if (ref.split("/").some((part) => part.startsWith("."))) return 'has a part that starts with "."';
  return undefined;
}
