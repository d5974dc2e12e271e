/**
 * Merges lists into one, keeping the first occurrence of each item and the order of first
 * appearance — for collecting facts from several sources. `key` says when two items are the same.
 *
 * @example
 * ```ts
 * mergeUnique([["a", "b"], ["b", "c"]]); // ["a", "b", "c"]
 * ```
 * @see ../../../../docs/guides/aggregation.md
 */
export function mergeUnique<T>(lists: readonly (readonly T[])[], key: (item: T) => unknown = (item) => item): T[] {
  const seen = new Set<unknown>();
  const merged: T[] = [];
  for (const list of lists) {
    for (const item of list) {
      const k = key(item);
      if (seen.has(k)) continue;
      seen.add(k);
      merged.push(item);
    }
  }
  return merged;
}
