/** The engine's resource changes for history ("(create 3, update 1)"), or "" when nothing changed. */
export function describeChanges(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${n}`);
  return parts.length ? `(${parts.join(", ")})` : "";
}
