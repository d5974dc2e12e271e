/** Something a cancellation reaches: a step, an inner run, a scope. */
export interface Cancellable {
  cancel(reason: unknown): void;
}

/**
 * What tells the runs nested in it that it was cancelled: a step tells the inner runs of its
 * subgraph tasks. A link is a member of a set, so linking and unlinking cost the same however
 * many siblings are linked (an abort listener per child would cost more with each one added).
 */
export interface CancelSource {
  /** Tells `child` the reason once this is cancelled (at once if it already is), until {@link unlink}. */
  link(child: Cancellable): void;
  /** `child` has ended: it is told nothing more. */
  unlink(child: Cancellable): void;
}
