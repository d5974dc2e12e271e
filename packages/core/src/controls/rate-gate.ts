import type { Pass } from "./gate.js";
import type { LimitStore } from "./limit-store.js";
import { QueuedGate, type Verdict } from "./queued-gate.js";
import { IN_FLIGHT_MS, type RatePass, RateWindow, type Window } from "./rate-window.js";
import { storeCall } from "./store-call.js";
import { nodeCrypto } from "../lazy/builtins.js";

/** What a rate gate enforces. */
export interface RateRules {
  readonly key: string;
  readonly requests: Window | undefined;
  readonly tokens: Window | undefined;
  /** Tokens a task counts for when its node gives no estimate. */
  readonly estimate: number;
  readonly store: LimitStore | undefined;
  readonly storeTimeoutMs: number;
  /** With a store: how often a waiting process asks again at most. */
  readonly pollMs: number;
}

/**
 * The queue in front of one {@link RateLimit}: tasks pass in the order they asked, as the
 * window (in this process, or in a shared store) lets them.
 */
export class RateGate extends QueuedGate {
  readonly kind = "rate";
  protected readonly remote: boolean;
  readonly #rules: RateRules;
  readonly #window: RateWindow | undefined;
  /** Tickets of this process's passes in a shared store: unique across processes. */
  readonly #prefix = nodeCrypto().randomUUID();
  #tickets = 0;

  constructor(rules: RateRules) {
    super(rules.key);
    this.#rules = rules;
    this.remote = rules.store !== undefined;
    this.#window = rules.store === undefined ? new RateWindow(rules.requests, rules.tokens) : undefined;
  }

  protected check(cost: number | undefined): Verdict | Promise<Verdict> {
    const rules = this.#rules;
    const tokens = rules.tokens === undefined ? 0 : (cost ?? rules.estimate);
    if (this.#window !== undefined) return this.#window.take(performance.now(), tokens);
    const store = rules.store!;
    const ticket = `${this.#prefix}.${(this.#tickets++).toString(36)}`;
    return storeCall(
      () =>
        store.takeRate({ key: rules.key, ticket, cost: tokens, requests: rules.requests, tokens: rules.tokens, inFlightMs: IN_FLIGHT_MS }),
      {
        limit: rules.key,
        operation: "takeRate",
        timeoutMs: rules.storeTimeoutMs,
        // Other processes' answers free room without telling: a long wait is asked again every pollMs.
      },
    ).then((wait) => (wait > 0 ? Math.min(wait, rules.pollMs) : { pass: { ticket, cost: tokens } satisfies RatePass }));
  }

  release(pass: Pass, used: number | undefined): void {
    const rules = this.#rules;
    const ratePass = pass as RatePass;
    if (this.#window !== undefined) {
      this.#window.settle(ratePass, used, performance.now());
      // The request is no longer in flight, and may have used fewer tokens than estimated: the next may go now.
      this.wake();
      return;
    }
    const store = rules.store!;
    // A correction that does not reach the store leaves the estimate counted: safe, and nothing to fail.
    void storeCall(
      () => store.settleRate({ key: rules.key, ticket: ratePass.ticket as string, used: rules.tokens === undefined ? undefined : used }),
      {
        limit: rules.key,
        operation: "settleRate",
        timeoutMs: rules.storeTimeoutMs,
      },
    ).catch(ignore);
  }

  /** No task passes for `ms`: every task that shares the key waits, here and, with a store, everywhere. */
  pause(ms: number): Promise<void> {
    const rules = this.#rules;
    if (this.#window !== undefined) {
      this.#window.pause(performance.now() + ms);
      return Promise.resolve();
    }
    const store = rules.store!;
    return storeCall(() => store.pauseRate({ key: rules.key, ms }), {
      limit: rules.key,
      operation: "pauseRate",
      timeoutMs: rules.storeTimeoutMs,
    });
  }
}

const ignore = (): void => {};
