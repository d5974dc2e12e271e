/** The outcome of {@link majorityVote}. */
export interface Vote<T> {
  /** The most common answer; on a tie, the one that came first. */
  readonly winner: T;
  /** How many voters chose the winner. */
  readonly count: number;
  /** How many votes were cast. */
  readonly total: number;
  /** `count / total`, from 0 to 1. */
  readonly confidence: number;
  /** Every distinct answer with its count, most common first (ties in order of first vote). */
  readonly tally: readonly { readonly value: T; readonly count: number }[];
}

/**
 * Picks the most common answer and says how sure the vote is — for classification and
 * yes/no decisions by several judges. `key` tells equal answers apart (default: the value).
 *
 * @example
 * ```ts
 * const vote = majorityVote(["positive", "positive", "negative", "positive", "positive"]);
 * formatVote(vote); // "positive (confidence: 80%)"
 * ```
 * @see ../../../../docs/guides/aggregation.md
 */
export function majorityVote<T>(votes: readonly T[], key: (vote: T) => unknown = (vote) => vote): Vote<T> {
  if (votes.length === 0) throw new RangeError("majorityVote needs at least one vote.");
  const counts = new Map<unknown, { value: T; count: number; first: number }>();
  votes.forEach((vote, index) => {
    const k = key(vote);
    const entry = counts.get(k);
    if (entry === undefined) counts.set(k, { value: vote, count: 1, first: index });
    else entry.count++;
  });
  const tally = [...counts.values()].sort((a, b) => b.count - a.count || a.first - b.first);
  const top = tally[0]!;
  return {
    winner: top.value,
    count: top.count,
    total: votes.length,
    confidence: top.count / votes.length,
    tally: tally.map(({ value, count }) => ({ value, count })),
  };
}

/** `"positive (confidence: 80%)"`: the winner with its confidence as a whole percentage. */
export function formatVote(vote: Vote<unknown>): string {
  return `${String(vote.winner)} (confidence: ${Math.round(vote.confidence * 100)}%)`;
}
