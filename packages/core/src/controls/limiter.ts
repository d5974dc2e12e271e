import { addClaim, type Claim, type Gate, type Pass, removeClaims, type SlotWaiter } from "./gate.js";

/** The pass of a counting semaphore: every slot is the same. */
export const SLOT: Pass = true;

/**
 * A counting semaphore with a FIFO queue: at most `limit` holders at once, slots given in the
 * order they were asked for. Waiters are steps, not tasks: consecutive asks of one waiter are
 * one claim with a count, so a step with a million waiting tasks costs the queue one entry,
 * and no task holds a promise, a closure or an abort listener while it waits.
 */
export class Limiter implements Gate {
  readonly kind = "slot";
  readonly keepsPass = false;
  readonly name: string | undefined;
  #active = 0;
  #queued = 0;
  readonly #claims: Claim[] = [];
  /** True while slots are being handed out: a release from inside a grant is served by the same loop. */
  #granting = false;

  readonly limit: number;

  constructor(limit: number, name?: string) {
    this.limit = limit;
    this.name = name;
  }

  /** Holders now. */
  get active(): number {
    return this.#active;
  }

  /** Slots asked for and not yet given. */
  get queued(): number {
    return this.#queued;
  }

  /** Takes a slot when one is free and nobody waits; undefined otherwise. */
  tryAcquire(): Pass | undefined {
    if (this.#active >= this.limit || this.#queued > 0) return undefined;
    this.#active++;
    return SLOT;
  }

  /** Asks for one slot for `waiter`, after every slot asked for before. */
  wait(waiter: SlotWaiter): void {
    addClaim(this.#claims, waiter);
    this.#queued++;
  }

  /** Takes back every slot `waiter` still asks for (its tasks were cancelled); returns how many. */
  withdraw(waiter: SlotWaiter): number {
    const count = removeClaims(this.#claims, waiter);
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
        claim.waiter.grant(this, SLOT);
      }
    } finally {
      this.#granting = false;
    }
  }
}
