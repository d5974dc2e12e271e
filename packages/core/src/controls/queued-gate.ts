import { addClaim, type Claim, type Gate, type Pass, removeClaims, type SlotWaiter } from "./gate.js";

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null)?.then === "function";

/** What a gate's check says: the task's pass, or how many ms to wait before asking again. */
export type Verdict = { readonly pass: Pass } | number;

/**
 * A gate whose check may take time or say "not before t": a rate limit's window, a pause
 * after a 429, a count kept in a shared store. Waiters queue in FIFO claims with counts (one
 * entry per waiting step, whatever its number of tasks); one check runs at a time for the
 * claim at the head, and one timer per gate waits for the next try. A waiting task holds
 * no promise, closure, listener or timer of its own.
 */
export abstract class QueuedGate implements Gate {
  abstract readonly kind: "slot" | "rate";
  readonly keepsPass = true;
  readonly name: string | undefined;
  readonly #claims: Claim[] = [];
  #queued = 0;
  /** A check for the head claim in flight (a store call), or a timer until the next try. */
  #busy = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(name: string | undefined) {
    this.name = name;
  }

  /** Passes asked for and not yet given. */
  get queued(): number {
    return this.#queued;
  }

  /** Checks whether a task expected to use `cost` tokens may pass now; may answer later. */
  protected abstract check(cost: number | undefined): Verdict | Promise<Verdict>;
  abstract release(pass: Pass, used: number | undefined): void;

  /** True when checks go to a shared store: a task then always queues, and the pump asks for it. */
  protected abstract readonly remote: boolean;

  tryAcquire(cost: number | undefined): Pass | undefined {
    if (this.remote || this.#queued > 0 || this.#busy) return undefined;
    const verdict = this.check(cost) as Verdict;
    return typeof verdict === "number" ? undefined : verdict.pass;
  }

  wait(waiter: SlotWaiter): void {
    addClaim(this.#claims, waiter);
    this.#queued++;
    this.pump();
  }

  withdraw(waiter: SlotWaiter): number {
    const count = removeClaims(this.#claims, waiter);
    this.#queued -= count;
    if (this.#queued === 0) this.#stopTimer();
    else this.pump();
    return count;
  }

  /** Something changed (a release, a pause that ended): try the head claim again now. */
  protected wake(): void {
    this.#stopTimer();
    this.pump();
  }

  /** Serves claims from the head while the check lets them through, then waits for the next try. */
  protected pump(): void {
    while (this.#queued > 0 && !this.#busy) {
      const claim = this.#claims[0]!;
      let cost: number | undefined;
      let verdict: Verdict | Promise<Verdict>;
      try {
        cost = claim.waiter.cost(this);
        verdict = this.check(cost);
      } catch (error) {
        this.#take(claim).refuse(this, error);
        continue;
      }
      if (typeof verdict === "number") {
        this.#later(verdict);
        return;
      } else if (!isThenable(verdict)) {
        this.#take(claim).grant(this, verdict.pass);
      } else {
        this.#busy = true;
        verdict.then(
          (answer) => this.#answered(claim, answer),
          (error) => this.#failed(claim, error),
        );
        return;
      }
    }
  }

  #answered(claim: Claim, verdict: Verdict): void {
    this.#busy = false;
    if (typeof verdict === "number") {
      this.#later(verdict);
      return;
    }
    // A waiter that left while its check was in flight gives back what the check took.
    if (this.#claims[0] !== claim) this.release(verdict.pass, undefined);
    else this.#take(claim).grant(this, verdict.pass);
    this.pump();
  }

  #failed(claim: Claim, error: unknown): void {
    this.#busy = false;
    if (this.#claims[0] === claim) this.#take(claim).refuse(this, error);
    this.pump();
  }

  #take(claim: Claim): SlotWaiter {
    if (--claim.count === 0) this.#claims.shift();
    this.#queued--;
    return claim.waiter;
  }

  #later(ms: number): void {
    this.#busy = true;
    this.#timer = setTimeout(this.#retry, Math.max(1, Math.ceil(ms)));
  }

  readonly #retry = (): void => {
    this.#timer = undefined;
    this.#busy = false;
    this.pump();
  };

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#busy = false;
  }

  /**
   * Waits for one pass for a single caller (a retried attempt, or a node that makes several
   * calls). Resolves when the pass is held; rejects with `signal`'s reason when it aborts first.
   */
  passFor(cost: number | undefined, signal?: AbortSignal): Promise<Pass> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.tryAcquire(cost);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<Pass>((resolve, reject) => {
      const waiter = new SingleWaiter(cost, resolve, reject);
      if (signal !== undefined) {
        const onAbort = (): void => {
          if (this.withdraw(waiter) > 0) reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        waiter.done = () => signal.removeEventListener("abort", onAbort);
      }
      this.wait(waiter);
    });
  }
}

/** One caller of {@link QueuedGate.passFor}. */
class SingleWaiter implements SlotWaiter {
  done: (() => void) | undefined;
  readonly #cost: number | undefined;
  readonly #resolve: (pass: Pass) => void;
  readonly #reject: (error: unknown) => void;

  constructor(cost: number | undefined, resolve: (pass: Pass) => void, reject: (error: unknown) => void) {
    this.#cost = cost;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  grant(_gate: Gate, pass: Pass): void {
    this.done?.();
    this.#resolve(pass);
  }

  cost(): number | undefined {
    return this.#cost;
  }

  refuse(_gate: Gate, error: unknown): void {
    this.done?.();
    this.#reject(error);
  }
}
