/**
 * A Lambda container's cold-start work, done at the first invocation and kept for the next ones. A
 * failed start (a secret not filled yet, AWS refusing) is not kept: the next invocation tries again
 * instead of the container failing until Lambda recycles it.
 */
export function oncePerContainer<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((err: unknown) => {
      built = undefined;
      throw err;
    });
    return built;
  };
}
