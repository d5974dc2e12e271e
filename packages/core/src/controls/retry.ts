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
   * Whether an error is worth another attempt. By default every error is, except aborts, Weft's
   * own validation errors (a wrong update stays wrong) and HTTP client errors (an error whose
   * `status` is 4xx, a bad key or an unknown model) other than 408, 409 and 429.
   */
  readonly retryOn?: (error: unknown) => boolean;
}

/** Weft errors that another attempt cannot fix: wrong data, wrong graph, wrong options, cancellation. */
const permanent = new Set([
  "INVALID_UPDATE",
  "INVALID_STEP",
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
  "BUDGET_EXCEEDED",
]);

/** Client errors that a later attempt may not get: request timeout, conflict, rate limit. */
const transientClientStatus = new Set([408, 409, 429]);

/** The default `retryOn`. */
export function isRetryable(error: unknown): boolean {
  if (isGraphError(error)) return !permanent.has(error.code);
  if (isAbortError(error)) return false;
  const status = httpStatusOf(error);
  return status === undefined || status < 400 || status > 499 || transientClientStatus.has(status);
}

/** The HTTP status an error carries (`status` or `statusCode`, as HTTP clients set them). */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === "number" ? status : statusCode;
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

/**
 * How long the server asked the client to wait, in ms, from the error's response headers:
 * `retry-after-ms`, else `retry-after` in seconds or as an HTTP date (counted from `now`).
 * Headers may be a `Headers` or a plain object, on the error or on its `response`.
 */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  const header = (name: string): string | undefined => headerOf(error, name) ?? headerOf((error as { response?: unknown })?.response, name);
  const ms = Number(header("retry-after-ms"));
  if (header("retry-after-ms") !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const after = header("retry-after")?.trim();
  if (after === undefined || after === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone takes "-1".
  const date = /[a-z]/i.test(after) ? Date.parse(after) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function headerOf(holder: unknown, name: string): string | undefined {
  if (typeof holder !== "object" || holder === null) return undefined;
  const headers = (holder as { headers?: unknown }).headers;
  if (typeof headers !== "object" || headers === null) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

/**
 * The delay before attempt `attempt + 1` after `error`: the backoff, or what the server asked
 * for in `retry-after` when that is longer.
 */
export function retryDelay(options: {
  readonly backoff: Backoff | undefined;
  readonly attempt: number;
  readonly error: unknown;
  readonly random?: () => number;
  readonly now?: number;
}): number {
  const delay = backoffDelay(options.backoff, options.attempt, options.random);
  return Math.max(delay, retryAfterMs(options.error, options.now) ?? 0);
}

/** The delay before attempt `attempt + 1`, given that `attempt` (1-based) just failed. */
export function backoffDelay(backoff: Backoff | undefined, attempt: number, random: () => number = Math.random): number {
  const initial = backoff?.initialMs ?? 100;
  const factor = backoff?.factor ?? 2;
  const max = backoff?.maxMs ?? 10_000;
  const delay = Math.min(max, initial * factor ** (attempt - 1));
  return backoff?.jitter === false ? delay : delay / 2 + random() * (delay / 2);
}
