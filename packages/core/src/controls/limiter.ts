/** Something that waits for slots of a {@link Limiter}; it is given them one at a time. */
export interface SlotWaiter {
  /** One slot of `limiter` is now held for this waiter: it passes it to its next waiting task. */
  grant(limiter: Limiter): void;
}

/** A place in a limiter's queue: `count` slots asked for by one waiter, one after another. */
interface Claim {
  readonly waiter: SlotWaiter;
  count: number;
}

/**
 * A counting semaphore with a FIFO queue: at most `limit` holders at once, slots given in the
 * order they were asked for. Waiters are steps, not tasks: consecutive asks of one waiter are
 * one claim with a count, so a step with a million waiting tasks costs the queue one entry,
 * and no task holds a promise, a closure or an abort listener while it waits.
 */
export class Limiter {
  #active = 0;
  #queued = 0;
  readonly #claims: Claim[] = [];
  /** True while slots are being handed out: a release from inside a grant is served by the same loop. */
  #granting = false;

  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Holders now. */
  get active(): number {
    return this.#active;
  }

  /** Slots asked for and not yet given. */
  get queued(): number {
    return this.#queued;
  }

  /** Takes a slot when one is free and nobody waits; false otherwise. */
  tryAcquire(): boolean {
    if (this.#active >= this.limit || this.#queued > 0) return false;
    this.#active++;
    return true;
  }

  /** Asks for one slot for `waiter`, after every slot asked for before. */
  wait(waiter: SlotWaiter): void {
    const last = this.#claims[this.#claims.length - 1];
    if (last !== undefined && last.waiter === waiter) last.count++;
    else this.#claims.push({ waiter, count: 1 });
    this.#queued++;
  }

  /** Takes back every slot `waiter` still asks for (its tasks were cancelled); returns how many. */
  withdraw(waiter: SlotWaiter): number {
    let count = 0;
    for (let i = this.#claims.length - 1; i >= 0; i--) {
      const claim = this.#claims[i]!;
      if (claim.waiter !== waiter) continue;
      count += claim.count;
      this.#claims.splice(i, 1);
    }
    this.#queued -= count;
    // Withdrawn claims may have stood in front of others that a free slot can serve now.
    this.#grant();
    return count;
  }

  /** Gives a slot back, to the next claim in the queue if there is one. */
  release(): void {
    this.#active--;
    this.#grant();
  }

  #grant(): void {
    if (this.#granting) return;
    this.#granting = true;
    try {
      while (this.#active < this.limit && this.#queued > 0) {
        const claim = this.#claims[0]!;
        if (--claim.count === 0) this.#claims.shift();
        this.#active++;
        this.#queued--;
        claim.waiter.grant(this);
      }
    } finally {
      this.#granting = false;
    }
  }
}
