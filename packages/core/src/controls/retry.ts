import { isAbortError, isGraphError } from "../errors.js";

/** Exponential backoff between attempts. */
export interface Backoff {
  /** Delay before the 2nd attempt, in ms. Default 100. */
  readonly initialMs?: number;
  /** Each further delay is the previous one times this. Default 2. */
  readonly factor?: number;
  /** Upper bound of one delay, in ms. Default 10 000. */
  readonly maxMs?: number;
  /** Spread each delay uniformly over [delay/2, delay] to avoid retry storms. Default true. */
  readonly jitter?: boolean;
}

/**
 * How a node's task is retried after it throws or times out.
 *
 * @example
 * ```ts
 * builder.addNode("fetch", fetchNews, {
 *   retry: { maxAttempts: 3, backoff: { initialMs: 200 }, retryOn: (e) => !(e instanceof TypeError) },
 * });
 * ```
 * @see ../../../../docs/guides/parallel-execution.md
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. 1 means no retry. */
  readonly maxAttempts: number;
  readonly backoff?: Backoff;
  /**
   * Whether an error is worth another attempt. By default every error is, except aborts and
   * Weft's own validation errors (a wrong update stays wrong).
   */
  readonly retryOn?: (error: unknown) => boolean;
}

/** Weft errors that another attempt cannot fix: wrong data, wrong graph, wrong options, cancellation. */
const permanent = new Set([
  "INVALID_UPDATE",
  "INVALID_INPUT",
  "INVALID_ROUTE",
  "INVALID_OPTION",
  "INVALID_CHECKPOINT",
  "INVALID_RESUME",
  "UNKNOWN_NODE",
  "UNKNOWN_THREAD",
  "CONCURRENT_UPDATE",
  "ABORTED",
  "RUN_TIMEOUT",
]);

/** The default `retryOn`. */
export function isRetryable(error: unknown): boolean {
  if (isGraphError(error)) return !permanent.has(error.code);
  return !isAbortError(error);
}

/** The delay before attempt `attempt + 1`, given that `attempt` (1-based) just failed. */
export function backoffDelay(backoff: Backoff | undefined, attempt: number, random: () => number = Math.random): number {
  const initial = backoff?.initialMs ?? 100;
  const factor = backoff?.factor ?? 2;
  const max = backoff?.maxMs ?? 10_000;
  const delay = Math.min(max, initial * factor ** (attempt - 1));
  return backoff?.jitter === false ? delay : delay / 2 + random() * (delay / 2);
}
