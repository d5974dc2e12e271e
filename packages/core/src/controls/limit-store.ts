import type { Window } from "./rate-window.js";

/**
 * Where a shared {@link ConcurrencyLimit} or {@link RateLimit} keeps its counts, so that
 * several processes share one budget per key. `@weft/bullmq`'s `RedisLimitStore` is one; a
 * store keeps time by its own clock, never the callers'. Each call answers 0 when the pass is
 * taken, or how many ms to wait before asking again.
 *
 * @see ../../../../docs/guides/rate-limits.md
 */
export interface LimitStore {
  /**
   * Takes a rate pass for `ticket` when the key is not paused and, among the requests that
   * still count, fewer than `requests.limit` count against the requests window and the tokens
   * plus `cost` stay within `tokens.limit`. A request counts while in flight (at most
   * `inFlightMs`) and for one interval after its answer.
   */
  takeRate(request: {
    readonly key: string;
    readonly ticket: string;
    readonly cost: number;
    readonly requests: Window | undefined;
    readonly tokens: Window | undefined;
    readonly inFlightMs: number;
  }): Promise<number>;
  /** The request of `ticket` has its answer now: it counts from now for one interval, for `used` tokens (else its estimate). */
  settleRate(request: { readonly key: string; readonly ticket: string; readonly used: number | undefined }): Promise<void>;
  /** No pass of `key` is given for the next `ms` (a 429's `retry-after`). */
  pauseRate(request: { readonly key: string; readonly ms: number }): Promise<void>;
  /** Takes one of `limit` slots of `key` for `holder`, leased for `leaseMs` unless renewed. */
  acquireSlot(request: {
    readonly key: string;
    readonly holder: string;
    readonly limit: number;
    readonly leaseMs: number;
  }): Promise<number>;
  /** Extends the leases of the slots `holders` hold. */
  renewSlots(request: { readonly key: string; readonly holders: readonly string[]; readonly leaseMs: number }): Promise<void>;
  /** Gives `holder`'s slot back. */
  releaseSlot(request: { readonly key: string; readonly holder: string }): Promise<void>;
}
