/**
 * Joins results in the order given — for report sections and multi-part answers. With Weft,
 * an append channel already holds results in task order, so this order is deterministic.
 *
 * @example
 * ```ts
 * concatenate(["## Intro", "## Usage"], "\n\n"); // "## Intro\n\n## Usage"
 * ```
 * @see ../../../../docs/guides/aggregation.md
 */
export function concatenate(results: readonly string[], separator = "\n"): string {
  return results.join(separator);
}
