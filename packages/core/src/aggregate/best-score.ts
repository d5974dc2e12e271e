/**
 * Returns the result with the highest score — for generation judged by a quality score. On a
 * tie the earliest result wins, so the choice does not depend on timing.
 *
 * @example
 * ```ts
 * bestScore([{ text: "a", score: 6 }, { text: "b", score: 9 }], (r) => r.score); // { text: "b", score: 9 }
 * ```
 * @see ../../../../docs/guides/aggregation.md
 */
export function bestScore<T>(results: readonly T[], score: (result: T) => number): T {
  if (results.length === 0) throw new RangeError("bestScore needs at least one result.");
  let best = results[0]!;
  let bestValue = score(best);
  for (let i = 1; i < results.length; i++) {
    const value = score(results[i]!);
    if (value > bestValue) {
      best = results[i]!;
      bestValue = value;
    }
  }
  return best;
}
