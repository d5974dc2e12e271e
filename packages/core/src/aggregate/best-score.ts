/**
 * Returns the result with the highest score — for generation judged by a quality score. On a
 * tie the earliest result wins, so the choice does not depend on timing. A `NaN` score (a
 * judge's answer that did not parse, say) never wins; if every score is `NaN`, it throws.
 *
 * @example
 * ```ts
 * bestScore([{ text: "a", score: 6 }, { text: "b", score: 9 }], (r) => r.score); // { text: "b", score: 9 }
 * ```
 * @see ../../../../docs/guides/aggregation.md
 */
export function bestScore<T>(results: readonly T[], score: (result: T) => number): T {
  if (results.length === 0) throw new RangeError("bestScore needs at least one result.");
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < results.length; i++) {
    const value = score(results[i]!);
    if (Number.isNaN(value)) continue;
    if (best === -1 || value > bestValue) {
      best = i;
      bestValue = value;
    }
  }
  if (best === -1) throw new RangeError(`bestScore: none of the ${results.length} results has a score that is a number (all are NaN).`);
  return results[best]!;
}
