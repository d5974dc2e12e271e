import type { Pass } from "./gate.js";
import type { LimitStore } from "./limit-store.js";
import { QueuedGate, type Verdict } from "./queued-gate.js";
import { storeCall } from "./store-call.js";
import { nodeCrypto } from "../lazy/builtins.js";

/** Where a shared concurrency limit counts its slots. */
export interface SlotRules {
  readonly key: string;
  readonly limit: number;
  readonly store: LimitStore;
  /** A slot whose holder stops renewing it (its process died) is free again after this. */
  readonly leaseMs: number;
  /** How often a waiting process asks the store again when every slot is held. */
  readonly pollMs: number;
  readonly storeTimeoutMs: number;
}

/**
 * The queue in front of a concurrency limit kept in a shared store. Each slot taken is a
 * lease in the store, renewed by one timer per limit while this process holds any; a process
 * that dies stops renewing, and its slots free themselves after `leaseMs`. Slots freed in
 * this process go to its own next waiter at once; other processes learn of them when they ask
 * again (every `pollMs`).
 */
export class SharedSlots extends QueuedGate {
  readonly kind = "slot";
  protected readonly remote = true;
  readonly #rules: SlotRules;
  readonly #prefix = nodeCrypto().randomUUID();
  #holders = 0;
  readonly #held = new Set<string>();
  #renewal: ReturnType<typeof setInterval> | undefined;

  constructor(rules: SlotRules) {
    super(rules.key);
    this.#rules = rules;
  }

  /** Slots this process holds now. */
  get held(): number {
    return this.#held.size;
  }

  protected check(): Promise<Verdict> {
    const { key, limit, leaseMs, pollMs, store, storeTimeoutMs } = this.#rules;
    const holder = `${this.#prefix}.${(this.#holders++).toString(36)}`;
    return storeCall(() => store.acquireSlot({ key, holder, limit, leaseMs }), {
      limit: key,
      operation: "acquireSlot",
      timeoutMs: storeTimeoutMs,
    }).then((wait) => {
      if (wait > 0) return Math.min(wait, pollMs);
      this.#hold(holder);
      return { pass: holder };
    });
  }

  release(pass: Pass): void {
    const holder = pass as string;
    if (!this.#held.delete(holder)) return;
    if (this.#held.size === 0) this.#stopRenewing();
    const { key, store, storeTimeoutMs } = this.#rules;
    // The next waiter asks once the slot is back; if the store cannot be told, the lease lapses instead.
    storeCall(() => store.releaseSlot({ key, holder }), { limit: key, operation: "releaseSlot", timeoutMs: storeTimeoutMs }).then(
      () => this.wake(),
      () => this.wake(),
    );
  }

  #hold(holder: string): void {
    this.#held.add(holder);
    if (this.#renewal !== undefined) return;
    this.#renewal = setInterval(this.#renew, Math.max(1, Math.floor(this.#rules.leaseMs / 3)));
    // Renewing leases must not keep a process alive on its own.
    this.#renewal.unref?.();
  }

  readonly #renew = (): void => {
    const { key, leaseMs, store, storeTimeoutMs } = this.#rules;
    const holders = [...this.#held];
    if (holders.length === 0) return;
    // A renewal that fails is tried again at the next tick; a lease outlives two missed ones.
    storeCall(() => store.renewSlots({ key, holders, leaseMs }), { limit: key, operation: "renewSlots", timeoutMs: storeTimeoutMs }).catch(
      ignore,
    );
  };

  #stopRenewing(): void {
    clearInterval(this.#renewal);
    this.#renewal = undefined;
  }
}

const ignore = (): void => {};
