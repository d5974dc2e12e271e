import { graphError } from "../errors.js";
import { checkOptions, type Rule } from "../options/rules.js";
import { milliseconds, nonEmptyString, optionObject, withMethods } from "../options/values.js";
import type { Pass } from "./gate.js";
import type { LimitStore } from "./limit-store.js";
import { RateGate } from "./rate-gate.js";
import type { Window } from "./rate-window.js";
import { httpStatusOf, retryAfterMs } from "./retry.js";

/**
 * The options of a {@link RateLimit}.
 *
 * @example
 * ```ts
 * const options: RateLimitOptions = {
 *   key: "openai",
 *   requests: { limit: 500, intervalMs: 60_000 },
 *   tokens: { limit: 200_000, intervalMs: 60_000, estimate: 1_500 },
 * };
 * ```
 */
export interface RateLimitOptions {
  /** The provider key the limit is for: names it in events and errors, and is its key in a shared store. */
  readonly key: string;
  /** At most `limit` requests (tasks let through) in any `intervalMs`. */
  readonly requests?: { readonly limit: number; readonly intervalMs: number };
  /**
   * At most `limit` tokens in any `intervalMs`. A task counts for its node's `estimateTokens`
   * (else `estimate`, default 1000) when it passes, and for the tokens it reported (custom
   * events with a numeric `totalTokens`, as `@weft/openai`'s usage events have) once it ends.
   */
  readonly tokens?: { readonly limit: number; readonly intervalMs: number; readonly estimate?: number };
  /** Keep the counts in a shared store (Redis) so that several processes share the limit. In this process by default. */
  readonly store?: LimitStore;
  /** How long one store call may take before the task waiting for it fails with `LIMIT_UNAVAILABLE`. Default 5000. */
  readonly storeTimeoutMs?: number;
}

/** A count ≥ 1 (whole) over an interval. */
const countPer = (extra: Record<string, Rule> = {}): Rule =>
  optionObject({
    limit: { expected: "a whole number ≥ 1", accepts: (value) => Number.isInteger(value) && (value as number) >= 1, required: true },
    intervalMs: { ...milliseconds(false), required: true },
    ...extra,
  });

const RULES = {
  key: { ...nonEmptyString, required: true },
  requests: countPer(),
  tokens: countPer({
    estimate: { expected: "a finite number ≥ 0", accepts: (v) => typeof v === "number" && Number.isFinite(v) && v >= 0 },
  }),
  store: withMethods("a LimitStore", ["takeRate", "settleRate", "pauseRate", "acquireSlot", "renewSlots", "releaseSlot"]),
  storeTimeoutMs: milliseconds(false),
} as const satisfies Record<keyof RateLimitOptions, Rule>;

const gates = new WeakMap<RateLimit, RateGate>();

/**
 * A provider's rate limit: requests and tokens per interval for one key, shared by every node,
 * graph and run given it — and, with a `store`, by every process. Pass it as a node's
 * `rateLimit` (or to `@weft/openai`'s model calls). Tasks beyond the limit wait in the order
 * they asked (never dropped, never failed for waiting) and are reported as `task:queued` with
 * `waitsFor: "rate"`. A request counts from its turn until its answer, then for one interval:
 * however late it leaves after its turn, no interval at the provider sees more than the limit.
 * When a task fails with HTTP 429, the key pauses for its `retry-after` (else the retry's
 * backoff) for every task that shares it, and the retry waits its turn again.
 *
 * @example
 * ```ts
 * const openai = new RateLimit({ key: "openai", requests: { limit: 60, intervalMs: 1000 } });
 * const graph = builder.addNode("summarize", summarize, { rateLimit: openai, retry: { maxAttempts: 5 } });
 * ```
 * @see ../../../../docs/guides/rate-limits.md
 */
export class RateLimit {
  readonly key: string;
  readonly requests: Window | undefined;
  readonly tokens: Window | undefined;

  constructor(options: RateLimitOptions) {
    checkOptions(options, RULES, { scope: "rateLimit" });
    if (options.requests === undefined && options.tokens === undefined) {
      throw graphError("INVALID_OPTION", "invalid", {
        scope: "rateLimit",
        option: "requests",
        value: undefined,
        expected: "a { limit, intervalMs } object (or tokens): a RateLimit limits requests, tokens or both",
      });
    }
    this.key = options.key;
    this.requests = options.requests === undefined ? undefined : { limit: options.requests.limit, intervalMs: options.requests.intervalMs };
    this.tokens = options.tokens === undefined ? undefined : { limit: options.tokens.limit, intervalMs: options.tokens.intervalMs };
    gates.set(
      this,
      new RateGate({
        key: options.key,
        requests: this.requests,
        tokens: this.tokens,
        estimate: options.tokens?.estimate ?? 1000,
        store: options.store,
        storeTimeoutMs: options.storeTimeoutMs ?? 5000,
        pollMs: 50,
      }),
    );
  }

  /** How many callers of this process wait for their turn now. */
  get waiting(): number {
    return rateGate(this).queued;
  }

  /**
   * Waits for a turn for one request expected to use `tokens` tokens, for code that makes its
   * own calls (an agent's loop, a tool). Resolves with a ticket once the request may go; call
   * `ticket.settle(usedTokens)` once its answer (or failure) is in: until then the request
   * counts as in flight (at most a minute). Rejects with `signal`'s reason if it aborts first.
   *
   * @example
   * ```ts
   * const ticket = await openai.acquire({ tokens: 800, signal: ctx.signal });
   * const answer = await client.chat.completions.create(request);
   * ticket.settle(answer.usage?.total_tokens);
   * ```
   */
  async acquire(options: { readonly tokens?: number; readonly signal?: AbortSignal } = {}): Promise<RateTicket> {
    const gate = rateGate(this);
    const pass: Pass = await gate.passFor(options.tokens, options.signal);
    let settled = false;
    return {
      settle: (used) => {
        if (settled) return;
        settled = true;
        gate.release(pass, used);
      },
    };
  }

  /** Pauses the key for `ms` for every task and caller that shares it (what a 429's `retry-after` asks). */
  pause(ms: number): Promise<void> {
    return rateGate(this).pause(ms);
  }

  /**
   * When `error` is an HTTP 429, pauses the key for what its `retry-after` (or `retry-after-ms`)
   * asks, else for `fallbackMs`, and resolves true; resolves false for any other error. A
   * pause that cannot reach a shared store is dropped: the store's failure shows at the next turn.
   *
   * @example
   * ```ts
   * try {
   *   return await client.chat.completions.create(request);
   * } catch (error) {
   *   await openai.pauseAfter(error);
   *   throw error;
   * }
   * ```
   */
  async pauseAfter(error: unknown, fallbackMs = 1000): Promise<boolean> {
    if (httpStatusOf(error) !== 429) return false;
    await this.pause(retryAfterMs(error) ?? fallbackMs).catch(ignore);
    return true;
  }
}

/** A turn taken with {@link RateLimit.acquire}. */
export interface RateTicket {
  /** The request has its answer: it counts from now for one interval, for the tokens it used (undefined: its estimate). */
  settle(usedTokens: number | undefined): void;
}

const ignore = (): void => {};

/** The queue behind a rate limit, for the engine. */
export function rateGate(limit: RateLimit): RateGate {
  return gates.get(limit)!;
}
