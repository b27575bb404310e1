/** Which two versions the comparison shows: before → after, never a model against itself by default. */

/** What the choice needs to know of a version. */
export interface VersionLike {
  id: string;
  manifest: { parent: string | null };
}

/** The two versions compared: `a` before, `b` after. */
export interface Pair {
  a: string;
  b: string;
}

/**
 * The pair to compare, given the versions newest first (as models:list gives them), the active
 * version and the person's picks (null: not picked). B, the "after", defaults to the active
 * model; A, the "before", to the model B was fine-tuned from, else the version made just before
 * B. With fewer than two versions there is nothing to compare: null.
 */
export function comparePair(versions: readonly VersionLike[], activeId: string | null, pick: { a: string | null; b: string | null }): Pair | null {
  if (versions.length < 2) return null;
  const has = (id: string | null | undefined): id is string => !!id && versions.some((v) => v.id === id);
  const b = has(pick.b) ? pick.b : has(activeId) ? activeId : versions[0].id;
  if (has(pick.a)) return { a: pick.a, b };
  const at = versions.findIndex((v) => v.id === b);
  const parent = versions[at].manifest.parent;
  if (has(parent) && parent !== b) return { a: parent, b };
  const older = versions[at + 1] ?? versions.find((v) => v.id !== b)!;
  return { a: older.id, b };
}
