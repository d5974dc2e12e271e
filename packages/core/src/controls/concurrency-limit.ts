import type { Gate } from "./gate.js";
import type { LimitStore } from "./limit-store.js";
import { Limiter } from "./limiter.js";
import { SharedSlots } from "./shared-slots.js";
import { checkOptions, invalidOption, type Rule } from "../options/rules.js";
import { isWholeAtLeast1, milliseconds, nonEmptyString, withMethods, wholeAtLeast1 } from "../options/values.js";

/**
 * Where a {@link ConcurrencyLimit} keeps its slots when several processes share it.
 *
 * @example
 * ```ts
 * const options: SharedLimitOptions = { key: "openai", store: new RedisLimitStore({ connection }), leaseMs: 30_000 };
 * ```
 */
export interface SharedLimitOptions {
  /** The limit's name in the store: every process using the same key and store shares the slots. */
  readonly key: string;
  readonly store: LimitStore;
  /**
   * A slot is a lease, renewed while its task runs; if the process dies, the slot frees
   * itself after this long. Default 30 000.
   */
  readonly leaseMs?: number;
  /** How often a process whose tasks wait asks the store again while every slot is held. Default 50. */
  readonly pollMs?: number;
  /** How long one store call may take before the waiting task fails with `LIMIT_UNAVAILABLE`. Default 5000. */
  readonly storeTimeoutMs?: number;
}

const SHARED_RULES = {
  key: { ...nonEmptyString, required: true },
  store: { ...withMethods("a LimitStore", ["acquireSlot", "renewSlots", "releaseSlot"]), required: true },
  leaseMs: milliseconds(false),
  pollMs: milliseconds(false),
  storeTimeoutMs: milliseconds(false),
} as const satisfies Record<keyof SharedLimitOptions, Rule>;

const limiters = new WeakMap<ConcurrencyLimit, Limiter | SharedSlots>();

/**
 * A cap on how many tasks run at once, shared by every node, graph and run that is given it:
 * an `asyncio.Semaphore(2)` around one API key, for the whole process — or, with `shared`, for
 * every process using the same store and key. Pass it as a node's `concurrency`. (A number
 * there caps the node within each run: two runs at once each get that many.) Tasks beyond the
 * cap wait, served in the order they asked, and are reported as `task:queued`; a task whose
 * run is cancelled while it waits leaves the queue. A task left behind by its step's
 * cancellation (it ignored its signal) keeps its slot until it really ends, as the call it
 * makes is still in flight.
 *
 * @example
 * ```ts
 * const modelCalls = new ConcurrencyLimit(2);
 * const graph = builder
 *   .addNode("summarize", summarize, { concurrency: modelCalls })
 *   .addNode("review", review, { input: Review, concurrency: modelCalls });
 * ```
 * @see ../../../../docs/guides/parallel-execution.md
 * @see ../../../../docs/guides/rate-limits.md
 */
export class ConcurrencyLimit {
  /** How many tasks may hold a slot at once. */
  readonly limit: number;

  constructor(limit: number, shared?: SharedLimitOptions) {
    if (!isWholeAtLeast1(limit)) {
      throw invalidOption({ scope: "limit" }, { option: "limit", value: limit, expected: wholeAtLeast1.expected as string });
    }
    this.limit = limit;
    if (shared === undefined) {
      limiters.set(this, new Limiter(limit));
      return;
    }
    checkOptions(shared, SHARED_RULES, { scope: "limit" }, "shared.");
    limiters.set(
      this,
      new SharedSlots({
        key: shared.key,
        limit,
        store: shared.store,
        leaseMs: shared.leaseMs ?? 30_000,
        pollMs: shared.pollMs ?? 50,
        storeTimeoutMs: shared.storeTimeoutMs ?? 5000,
      }),
    );
  }

  /** How many tasks of this process hold a slot now. */
  get running(): number {
    const gate = limiters.get(this)!;
    return gate instanceof Limiter ? gate.active : gate.held;
  }

  /** How many tasks of this process wait for a slot now. */
  get waiting(): number {
    return limiters.get(this)!.queued;
  }
}

/** The gate behind a shared limit, for the engine. */
export function sharedLimiter(limit: ConcurrencyLimit): Gate {
  return limiters.get(limit)!;
}
