import { Limiter } from "./limiter.js";
import { invalidOption } from "../options/rules.js";
import { isWholeAtLeast1, wholeAtLeast1 } from "../options/values.js";

const limiters = new WeakMap<ConcurrencyLimit, Limiter>();

/**
 * A cap on how many tasks run at once, shared by every node, graph and run that is given it:
 * an `asyncio.Semaphore(2)` around one API key, for the whole process. Pass it as a
 * node's `concurrency`. (A number there caps the node within each run: two runs at once each
 * get that many.) Tasks beyond the cap wait, served in the order they asked, and are reported
 * as `task:queued`; a task whose run is cancelled while it waits leaves the queue. A task
 * left behind by its step's cancellation (it ignored its signal) keeps its slot until it
 * really ends, as the call it makes is still in flight.
 *
 * @example
 * ```ts
 * const modelCalls = new ConcurrencyLimit(2);
 * const graph = builder
 *   .addNode("summarize", summarize, { concurrency: modelCalls })
 *   .addNode("review", review, { input: Review, concurrency: modelCalls });
 * ```
 * @see ../../../../docs/guides/parallel-execution.md
 */
export class ConcurrencyLimit {
  /** How many tasks may hold a slot at once. */
  readonly limit: number;

  constructor(limit: number) {
    if (!isWholeAtLeast1(limit)) {
      throw invalidOption({ scope: "limit" }, { option: "limit", value: limit, expected: wholeAtLeast1.expected as string });
    }
    this.limit = limit;
    limiters.set(this, new Limiter(limit));
  }

  /** How many tasks hold a slot now. */
  get running(): number {
    return sharedLimiter(this).active;
  }

  /** How many tasks wait for a slot now. */
  get waiting(): number {
    return sharedLimiter(this).queued;
  }
}

/** The semaphore behind a shared limit, for the engine. */
export function sharedLimiter(limit: ConcurrencyLimit): Limiter {
  return limiters.get(limit)!;
}
